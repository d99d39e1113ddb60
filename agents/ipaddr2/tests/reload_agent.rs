// SPDX-License-Identifier: GPL-2.0-or-later
//! OCF 1.1 reload-agent: announced in the meta-data to OCF 1.1 callers only (OCF 1.0 meta-data
//! stays valid against ra-api-1.dtd), and on a running address it checks the new parameters and
//! changes nothing (root only for the namespace tests).

use rustha_testkit::metadata::{dtd_valid, meta_data, RA_API_DTD as DTD};
use rustha_testkit::netns::{ip, Lab};
use rustha_testkit::{alive, require_root};
use std::process::Command;

const IPADDR2: &str = env!("CARGO_BIN_EXE_IPaddr2");
const IPADDR: &str = env!("CARGO_BIN_EXE_IPaddr");

const OK: i32 = 0;
const CONFIGURED: i32 = 6;

#[test]
fn ocf_1_1_meta_data_has_reload_agent_and_ocf_1_0_stays_dtd_valid() {
    for bin in [IPADDR2, IPADDR] {
        let v11 = meta_data(bin, Some(("1", "1")));
        assert!(v11.contains("<version>1.1</version>"), "{bin}");
        assert!(
            v11.contains("<action name=\"reload-agent\" timeout=\"20s\" />"),
            "{bin}: {v11}"
        );
        assert!(v11.contains(
            "<parameter name=\"check_link_status\" unique=\"0\" required=\"0\" reloadable=\"1\">"
        ));
        assert!(
            v11.contains("<parameter name=\"ip\" unique=\"1\" required=\"1\" unique-group=\"ip\">")
        );
        for v10 in [meta_data(bin, Some(("1", "0"))), meta_data(bin, None)] {
            assert!(
                !v10.contains("<action name=\"reload-agent\"") && !v10.contains("reloadable="),
                "{bin}: OCF 1.0 output has reload-agent or reloadable"
            );
            let (ok, msgs) = dtd_valid(&v10);
            assert!(
                ok,
                "{bin} OCF 1.0 meta-data is not valid against {DTD}:\n{msgs}"
            );
        }
        // The DTD check can fail: the OCF 1.1 flavour is not valid against it.
        assert!(!dtd_valid(&v11).0, "{bin}: the DTD check accepts anything");
    }
    let v11 = meta_data(IPADDR2, Some(("1", "1")));
    for p in ["arp_count", "arp_interval", "arp_bg", "run_arping"] {
        assert!(
            v11.contains(&format!(
                "<parameter name=\"{p}\" unique=\"0\" required=\"0\" reloadable=\"1\">"
            )),
            "{p} is not reloadable"
        );
    }
    let methods = Command::new(IPADDR2).arg("methods").output().unwrap();
    assert!(String::from_utf8_lossy(&methods.stdout)
        .lines()
        .any(|l| l == "reload-agent"));
}

/// A namespace with eth0/eth1 and a base address 10.251.12.1/24 on eth0.
fn v4_lab() -> (Lab, String) {
    let mut lab = Lab::new();
    let ns = lab.ns_with_pair("r");
    ip(&["-n", &ns, "addr", "add", "10.251.12.1/24", "dev", "eth0"]);
    (lab, ns)
}

#[test]
#[ignore = "needs root"]
fn reload_agent_changes_nothing_on_a_running_address() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let start = [
        ("ip", "10.251.12.10"),
        ("cidr_netmask", "24"),
        ("arp_bg", "true"),
        ("arp_count", "1000"),
        ("arp_interval", "100"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &start).expect(OK);
    let before = lab.addrs(&ns);
    assert!(before.contains("inet 10.251.12.10/24"), "{before}");
    let pidfile = lab.state.join("IPaddr2-send_arp-10.251.12.10");
    let sender = std::fs::read_to_string(&pidfile).expect("the sender's PID file");
    let pid: i32 = sender.split_whitespace().next().unwrap().parse().unwrap();
    assert!(alive(pid));

    // Pacemaker runs reload-agent with the new parameters.
    let new = [
        ("ip", "10.251.12.10"),
        ("cidr_netmask", "24"),
        ("arp_bg", "false"),
        ("arp_count", "3"),
        ("arp_interval", "50"),
        ("arp_count_refresh", "1"),
        ("check_link_status", "false"),
        ("run_arping", "true"),
    ];
    let r = lab.run(&ns, IPADDR2, &["reload-agent"], &new);
    r.expect(OK);
    assert!(r.reason().is_empty(), "{}", r.stderr);
    assert_eq!(lab.addrs(&ns), before, "reload-agent changed the addresses");
    // The sender of the last start is left alone (it finishes with its own settings).
    assert_eq!(std::fs::read_to_string(&pidfile).unwrap(), sender);
    assert!(alive(pid), "reload-agent ended the background sender");
    lab.run(&ns, IPADDR2, &["monitor"], &new).expect(OK);
    // A reload twice in a row is as harmless.
    lab.run(&ns, IPADDR2, &["reload-agent"], &new).expect(OK);
    assert_eq!(lab.addrs(&ns), before);

    // Stop with arp_bg now false still ends the sender started with arp_bg=true.
    lab.run(&ns, IPADDR2, &["stop"], &new).expect(OK);
    assert!(!pidfile.exists());
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while alive(pid) {
        assert!(
            std::time::Instant::now() < until,
            "the sender outlived stop"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!lab.addrs(&ns).contains("10.251.12.10/"));
}

#[test]
#[ignore = "needs root"]
fn reload_agent_rejects_bad_values_like_validate_all_and_changes_nothing() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let base = [
        ("ip", "10.251.12.20"),
        ("arp_count", "1"),
        ("arp_bg", "false"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &base).expect(OK);
    let before = lab.addrs(&ns);
    for (bin, name, value, needle) in [
        (IPADDR2, "arp_count", "0", "invalid arp_count \"0\""),
        (IPADDR2, "arp_interval", "-5", "arp_interval"),
        (
            IPADDR2,
            "arp_sender",
            "bogus",
            "invalid arp_sender \"bogus\"",
        ),
        (IPADDR2, "arp_count_refresh", "x", "arp_count_refresh"),
        (
            IPADDR2,
            "check_link_status",
            "maybe",
            "invalid check_link_status \"maybe\"",
        ),
        (IPADDR2, "nic", "nosuchnic0", "nosuchnic0"),
        (IPADDR, "ARP_REPEAT", "0", "invalid ARP_REPEAT \"0\""),
    ] {
        let mut env = base.to_vec();
        env.retain(|(k, _)| *k != name && !(bin == IPADDR && k.starts_with("arp")));
        env.push((name, value));
        let r = lab.run(&ns, bin, &["reload-agent"], &env);
        r.expect_reason(CONFIGURED, needle);
        assert_eq!(
            r.stderr
                .lines()
                .filter(|l| l.starts_with("ocf-exit-reason:"))
                .count(),
            1,
            "one exit reason: {}",
            r.stderr
        );
        let v = lab.run(&ns, bin, &["validate-all"], &env);
        assert_eq!(
            (v.code, v.reason()),
            (r.code, r.reason()),
            "{name}={value}: reload-agent and validate-all disagree"
        );
        assert_eq!(lab.addrs(&ns), before, "{name}={value} changed the host");
    }
    lab.run(&ns, IPADDR2, &["monitor"], &base).expect(OK);
    lab.run(&ns, IPADDR2, &["stop"], &base).expect(OK);
}
