// SPDX-License-Identifier: GPL-2.0-or-later
//! ocf:rustha:IPaddr2 against real interfaces in network namespaces (root only).

use rustha_testkit::netns::{ip, Lab};
use rustha_testkit::require_root;
use std::time::{Duration, Instant};

const IPADDR2: &str = env!("CARGO_BIN_EXE_IPaddr2");
const IPADDR: &str = env!("CARGO_BIN_EXE_IPaddr");

const OK: i32 = 0;
const GENERIC: i32 = 1;
const CONFIGURED: i32 = 6;
const NOT_RUNNING: i32 = 7;

fn probe_env<'a>(env: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut e = env.to_vec();
    e.push(("CRM_meta_interval", "0"));
    e
}

fn recurring<'a>(env: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut e = env.to_vec();
    e.push(("CRM_meta_interval", "10000"));
    e
}

/// A namespace with eth0/eth1 and a base address 10.251.1.1/24 on eth0.
fn v4_lab() -> (Lab, String) {
    let mut lab = Lab::new();
    let ns = lab.ns_with_pair("a");
    ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        "10.251.1.1/24",
        "brd",
        "10.251.1.255",
        "dev",
        "eth0",
    ]);
    (lab, ns)
}

#[test]
#[ignore = "needs root"]
fn ipv4_start_monitor_stop_are_idempotent() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let env = [("ip", "10.251.1.10"), ("arp_count", "1")];
    lab.run(&ns, IPADDR2, &["monitor"], &probe_env(&env))
        .expect(NOT_RUNNING);
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    let a = lab.addrs(&ns);
    assert!(
        a.contains("eth0    inet 10.251.1.10/24 brd 10.251.1.255 scope global secondary eth0"),
        "{a}"
    );
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect(OK);
    lab.run(&ns, IPADDR2, &["monitor"], &probe_env(&env))
        .expect(OK);
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    assert_eq!(lab.addrs(&ns).matches("10.251.1.10/").count(), 1);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.1.10/"));
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect(NOT_RUNNING);
    // The base address is untouched.
    assert!(lab.addrs(&ns).contains("10.251.1.1/24"));
}

#[test]
#[ignore = "needs root"]
fn ipv4_options_label_broadcast_noprefixroute() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let env = [
        ("ip", "10.251.1.20"),
        ("nic", "eth0"),
        ("cidr_netmask", "28"),
        ("broadcast", "+"),
        ("iflabel", "vip"),
        ("noprefixroute", "true"),
        ("arp_count", "1"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    let a = ip(&["-n", &ns, "-o", "-4", "addr", "show", "label", "eth0:vip"]);
    assert!(a.contains("inet 10.251.1.20/28 brd 10.251.1.31"), "{a}");
    assert!(a.contains("noprefixroute"), "{a}");
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect(OK);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.1.20/"));

    // '-' clears the host bits; a dotted-quad netmask is converted.
    let env = [
        ("ip", "10.251.1.21"),
        ("cidr_netmask", "255.255.255.0"),
        ("broadcast", "-"),
        ("arp_count", "1"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    assert!(lab
        .addrs(&ns)
        .contains("inet 10.251.1.21/24 brd 10.251.1.0 "));
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
}

#[test]
#[ignore = "needs root"]
fn ipv6_start_waits_for_dad_and_honours_options() {
    require_root("network namespaces");
    let mut lab = Lab::new();
    let ns = lab.ns_with_pair("a");
    ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        "fd00:251:1::1/64",
        "dev",
        "eth0",
        "nodad",
    ]);
    let env = [("ip", "fd00:251:1::10")];
    lab.run(&ns, IPADDR2, &["monitor"], &probe_env(&env))
        .expect(NOT_RUNNING);
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    let a = lab.addrs(&ns);
    let line = a
        .lines()
        .find(|l| l.contains("fd00:251:1::10/64"))
        .unwrap_or_else(|| panic!("{a}"));
    assert!(line.contains("eth0"), "{line}");
    assert!(
        !line.contains("tentative"),
        "start returned before DAD finished: {line}"
    );
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect(OK);
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    assert!(!lab.addrs(&ns).contains("fd00:251:1::10/"));

    // Uncompressed spelling, nodad, noprefixroute, preferred_lft 0 (deprecated).
    let env = [
        ("ip", "FD00:251:1:0:0:0:0:11"),
        ("nic", "eth0"),
        ("cidr_netmask", "64"),
        ("nodad", "true"),
        ("noprefixroute", "yes"),
        ("preferred_lft", "0"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    let a = lab.addrs(&ns);
    let line = a
        .lines()
        .find(|l| l.contains("fd00:251:1::11/64"))
        .unwrap_or_else(|| panic!("{a}"));
    for flag in ["nodad", "noprefixroute", "deprecated", "preferred_lft 0sec"] {
        assert!(line.contains(flag), "{flag} missing: {line}");
    }
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect(OK);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    assert!(!lab.addrs(&ns).contains("fd00:251:1::11/"));
}

#[test]
#[ignore = "needs root"]
fn findif_picks_the_interface_and_prefix_from_the_routing_table() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    ip(&["-n", &ns, "addr", "add", "10.251.2.1/16", "dev", "eth1"]);
    ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        "fd00:251:2::1/48",
        "dev",
        "eth1",
        "nodad",
    ]);
    let env = [("ip", "10.251.2.7"), ("arp_count", "1")];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    let a = lab.addrs(&ns);
    assert!(a.contains("eth1    inet 10.251.2.7/16"), "{a}");
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);

    let env = [("ip", "fd00:251:2::7"), ("nodad", "1")];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    assert!(lab.addrs(&ns).contains("eth1    inet6 fd00:251:2::7/48"));
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);

    // No route: start fails (generic, as findif), probe says stopped, stop succeeds.
    let env = [("ip", "10.99.0.1")];
    lab.run(&ns, IPADDR2, &["start"], &env)
        .expect_reason(GENERIC, "Unable to find nic or netmask");
    lab.run(&ns, IPADDR2, &["monitor"], &probe_env(&env))
        .expect(NOT_RUNNING);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    // A requested prefix wider than every route: nothing matches either.
    lab.run(
        &ns,
        IPADDR2,
        &["start"],
        &[("ip", "10.251.1.9"), ("cidr_netmask", "8")],
    )
    .expect(GENERIC);
}

#[test]
#[ignore = "needs root"]
fn bad_input_gives_the_stock_code_one_reason_and_changes_nothing() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let before = lab.addrs(&ns);
    type Case<'a> = (&'a [(&'a str, &'a str)], i32, &'a str);
    let cases: &[Case] = &[
        (&[("ip", "10.251.1.300")], CONFIGURED, "10.251.1.300"),
        (&[("ip", "not-an-ip")], CONFIGURED, "not-an-ip"),
        (
            &[("ip", "10.251.1.5"), ("cidr_netmask", "33")],
            CONFIGURED,
            "invalid cidr_netmask \"33\"",
        ),
        (
            &[("ip", "fd00::5"), ("cidr_netmask", "129")],
            CONFIGURED,
            "invalid cidr_netmask \"129\"",
        ),
        (
            &[("ip", "10.251.1.5"), ("nic", "nosuch0")],
            CONFIGURED,
            "nosuch0",
        ),
        (
            &[("ip", "10.251.1.5"), ("iflabel", "waytoolong1")],
            CONFIGURED,
            "eth0:waytoolong1",
        ),
        (
            &[("ip", "10.251.1.5"), ("broadcast", "10.251.1")],
            CONFIGURED,
            "10.251.1",
        ),
        (
            &[("ip", "10.251.1.5"), ("lvs_ipv6_addrlabel", "true")],
            CONFIGURED,
            "lvs_ipv6_addrlabel",
        ),
        (
            &[("ip", "fd00::5"), ("lvs_support", "true")],
            CONFIGURED,
            "lvs_support",
        ),
        (
            &[("ip", "fe80::5")],
            CONFIGURED,
            "'nic' parameter is mandatory",
        ),
        (
            &[("ip", "10.251.1.5"), ("arp_count", "0")],
            CONFIGURED,
            "arp_count",
        ),
        (
            &[("ip", "10.251.1.5"), ("arp_interval", "-5")],
            CONFIGURED,
            "arp_interval",
        ),
        (
            &[("ip", "10.251.1.5"), ("arp_sender", "carrier-pigeon")],
            CONFIGURED,
            "carrier-pigeon",
        ),
        (
            &[("ip", "10.251.1.5"), ("preferred_lft", "soon")],
            CONFIGURED,
            "soon",
        ),
        (
            &[("ip", "10.251.1.5"), ("CRM_meta_clone_max", "2")],
            CONFIGURED,
            "CLUSTERIP",
        ),
        (
            &[
                ("ip", "10.251.1.5"),
                ("lvs_support", "1"),
                ("CRM_meta_clone_max", "2"),
            ],
            CONFIGURED,
            "LVS",
        ),
        (
            &[("ip", "10.251.1.5"), ("unique_clone_address", "true")],
            CONFIGURED,
            "globally_unique",
        ),
        (
            &[("ip", "10.251.1.5"), ("nodad", "maybe")],
            CONFIGURED,
            "maybe",
        ),
        (&[], CONFIGURED, "ip"),
    ];
    for (env, code, needle) in cases {
        for action in ["start", "validate-all"] {
            let out = lab.run(&ns, IPADDR2, &[action], env);
            assert_eq!(out.code, *code, "{action} {env:?}: {}", out.stderr);
            let reasons: Vec<&str> = out
                .stderr
                .lines()
                .filter(|l| l.starts_with("ocf-exit-reason:"))
                .collect();
            assert_eq!(
                reasons.len(),
                1,
                "{action} {env:?}: one reason expected: {}",
                out.stderr
            );
            assert!(
                out.reason().contains(needle),
                "{action} {env:?}: {:?}",
                out.reason()
            );
        }
        // Stop of a configuration that cannot have started succeeds.
        lab.run(&ns, IPADDR2, &["stop"], env).expect(OK);
    }
    assert_eq!(
        lab.addrs(&ns),
        before,
        "a failed validation changed the host"
    );
}

#[test]
#[ignore = "needs root"]
fn partial_state_is_a_failure_with_a_reason() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    ip(&["-n", &ns, "addr", "add", "10.251.1.30/25", "dev", "eth0"]);
    let env = [
        ("ip", "10.251.1.30"),
        ("nic", "eth0"),
        ("cidr_netmask", "24"),
    ];
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect_reason(GENERIC, "10.251.1.30/25 on eth0");
    lab.run(&ns, IPADDR2, &["monitor"], &probe_env(&env))
        .expect(GENERIC);
    // start refuses to stack a second prefix on the same interface, and changes nothing
    lab.run(&ns, IPADDR2, &["start"], &env)
        .expect_reason(GENERIC, "already there");
    assert_eq!(lab.addrs(&ns).matches("10.251.1.30/").count(), 1);
    // stop clears the address from the resource's interface
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.1.30/"));

    // On another interface: a failure naming it.
    ip(&["-n", &ns, "addr", "add", "10.251.1.31/24", "dev", "eth1"]);
    let env = [
        ("ip", "10.251.1.31"),
        ("nic", "eth0"),
        ("cidr_netmask", "24"),
    ];
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect_reason(GENERIC, "on eth1");
}

#[test]
#[ignore = "needs root"]
fn check_link_status_reports_a_down_link_as_stopped() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let env = [("ip", "10.251.1.40"), ("arp_count", "1")];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    ip(&["-n", &ns, "link", "set", "eth1", "down"]); // eth0 loses its carrier
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect_reason(NOT_RUNNING, "eth0 is down");
    let mut off = env.to_vec();
    off.push(("check_link_status", "false"));
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&off))
        .expect(OK);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
}

#[test]
#[ignore = "needs root"]
fn legacy_positional_forms() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    lab.run(
        &ns,
        IPADDR2,
        &["10.251.1.50/24/eth0/10.251.1.255", "start"],
        &[],
    )
    .expect(OK);
    assert!(lab
        .addrs(&ns)
        .contains("eth0    inet 10.251.1.50/24 brd 10.251.1.255"));
    lab.run(
        &ns,
        IPADDR2,
        &["10.251.1.50/24/eth0/10.251.1.255", "status"],
        &[],
    )
    .expect(OK);
    lab.run(
        &ns,
        IPADDR2,
        &["10.251.1.50/24/eth0/10.251.1.255", "stop"],
        &[],
    )
    .expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.1.50/"));

    // IPaddr::ip/bits/broadcast
    lab.run(&ns, IPADDR, &["10.251.1.51/27/10.251.1.63", "start"], &[])
        .expect(OK);
    assert!(lab
        .addrs(&ns)
        .contains("eth0    inet 10.251.1.51/27 brd 10.251.1.63"));
    lab.run(&ns, IPADDR, &["10.251.1.51/27/10.251.1.63", "stop"], &[])
        .expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.1.51/"));
    // IPaddr's parameter names.
    let env = [
        ("ip", "10.251.1.52"),
        ("ARP_REPEAT", "1"),
        ("ARP_BACKGROUND", "no"),
    ];
    lab.run(&ns, IPADDR, &["start"], &env).expect(OK);
    lab.run(&ns, IPADDR, &["monitor"], &recurring(&env))
        .expect(OK);
    lab.run(&ns, IPADDR, &["stop"], &env).expect(OK);
    let md = lab.run(&ns, IPADDR, &["meta-data"], &[]);
    assert!(md.stdout.contains("<resource-agent name=\"IPaddr\""));
    assert!(md.stdout.contains("name=\"ARP_REPEAT\""));

    lab.run(&ns, IPADDR2, &["a/b/c/d/e", "start"], &[])
        .expect(2);
}

fn mac_of(ns: &str, dev: &str) -> String {
    let out = ip(&["-n", ns, "-o", "link", "show", dev]);
    let at = out.find("link/ether ").expect("ether address") + "link/ether ".len();
    out[at..at + 17].to_string()
}

fn neighbour(ns: &str, addr: &str) -> String {
    ip(&["-n", ns, "neigh", "show", addr])
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(5);
    while !ok() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs root"]
fn peer_learns_the_new_mac_when_the_address_moves() {
    require_root("network namespaces");
    let mut lab = Lab::new();
    let ns = lab.segment(&["a", "b", "p"]);
    let (a, b, p) = (&ns[0], &ns[1], &ns[2]);
    for (n, last) in [(a, 1), (b, 2), (p, 3)] {
        ip(&[
            "-n",
            n,
            "addr",
            "add",
            &format!("10.251.5.{last}/24"),
            "dev",
            "eth0",
        ]);
        ip(&[
            "-n",
            n,
            "addr",
            "add",
            &format!("fd00:251:5::{last}/64"),
            "dev",
            "eth0",
            "nodad",
        ]);
    }
    let (mac_a, mac_b) = (mac_of(a, "eth0"), mac_of(b, "eth0"));
    let v4 = [
        ("ip", "10.251.5.100"),
        ("arp_count", "3"),
        ("arp_interval", "50"),
        ("arp_bg", "false"),
    ];
    let v6 = [
        ("ip", "fd00:251:5::100"),
        ("arp_count", "3"),
        ("arp_interval", "50"),
        ("nodad", "true"),
    ];

    lab.run(a, IPADDR2, &["start"], &v4).expect(OK);
    lab.run(a, IPADDR2, &["start"], &v6).expect(OK);
    // The peer talks to the address and learns A's MAC.
    ip(&[
        "netns",
        "exec",
        p,
        "ping",
        "-c",
        "1",
        "-W",
        "2",
        "10.251.5.100",
    ]);
    ip(&[
        "netns",
        "exec",
        p,
        "ping",
        "-6",
        "-c",
        "1",
        "-W",
        "2",
        "fd00:251:5::100",
    ]);
    assert!(neighbour(p, "10.251.5.100").contains(&mac_a));
    assert!(neighbour(p, "fd00:251:5::100").contains(&mac_a));

    // Move: stop on A, start on B. Only B's announcements can update the peer.
    lab.run(a, IPADDR2, &["stop"], &v4).expect(OK);
    lab.run(a, IPADDR2, &["stop"], &v6).expect(OK);
    lab.run(b, IPADDR2, &["start"], &v4).expect(OK);
    lab.run(b, IPADDR2, &["start"], &v6).expect(OK);
    wait_for("the peer's ARP entry to show B's MAC", || {
        neighbour(p, "10.251.5.100").contains(&mac_b)
    });
    wait_for("the peer's neighbour entry to show B's MAC", || {
        neighbour(p, "fd00:251:5::100").contains(&mac_b)
    });
    lab.run(b, IPADDR2, &["stop"], &v4).expect(OK);
    lab.run(b, IPADDR2, &["stop"], &v6).expect(OK);
}

#[test]
#[ignore = "needs root"]
fn run_arping_refuses_an_address_in_use() {
    require_root("network namespaces");
    let mut lab = Lab::new();
    let ns = lab.segment(&["a", "b"]);
    let (a, b) = (&ns[0], &ns[1]);
    ip(&["-n", a, "addr", "add", "10.251.6.1/24", "dev", "eth0"]);
    ip(&["-n", b, "addr", "add", "10.251.6.2/24", "dev", "eth0"]);
    ip(&["-n", a, "addr", "add", "10.251.6.50/24", "dev", "eth0"]);
    let env = [
        ("ip", "10.251.6.50"),
        ("run_arping", "true"),
        ("arp_count", "1"),
    ];
    lab.run(b, IPADDR2, &["start"], &env)
        .expect_reason(GENERIC, "collision");
    assert!(!lab.addrs(b).contains("10.251.6.50/"));
    // A free address passes the probe.
    let env = [
        ("ip", "10.251.6.51"),
        ("run_arping", "true"),
        ("arp_count", "1"),
    ];
    lab.run(b, IPADDR2, &["start"], &env).expect(OK);
    lab.run(b, IPADDR2, &["stop"], &env).expect(OK);
}

#[test]
#[ignore = "needs root"]
fn ipv6_dad_failure_is_reported_and_cleaned_up() {
    require_root("network namespaces");
    let mut lab = Lab::new();
    let ns = lab.segment(&["a", "b"]);
    let (a, b) = (&ns[0], &ns[1]);
    ip(&[
        "-n",
        a,
        "addr",
        "add",
        "fd00:251:7::50/64",
        "dev",
        "eth0",
        "nodad",
    ]);
    ip(&[
        "-n",
        b,
        "addr",
        "add",
        "fd00:251:7::2/64",
        "dev",
        "eth0",
        "nodad",
    ]);
    // Let B's link finish its own setup (link-local DAD) so the NS for the VIP goes out.
    std::thread::sleep(Duration::from_millis(300));
    let env = [("ip", "fd00:251:7::50")];
    lab.run(b, IPADDR2, &["start"], &env)
        .expect_reason(GENERIC, "collision");
    assert!(!lab.addrs(b).contains("fd00:251:7::50/"));
}

#[test]
#[ignore = "needs root"]
fn background_sender_is_ended_by_stop() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let env = [
        ("ip", "10.251.1.60"),
        ("arp_bg", "true"),
        ("arp_count", "1000"),
        ("arp_interval", "100"),
    ];
    let t = Instant::now();
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "start waited for the background sender"
    );
    let pidfile = lab.state.join("IPaddr2-send_arp-10.251.1.60");
    let content = std::fs::read_to_string(&pidfile).expect("PID file");
    let pid: i32 = content.split_whitespace().next().unwrap().parse().unwrap();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    assert!(!pidfile.exists());
    let gone = |pid: i32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
    };
    wait_for("the sender to end", || gone(pid));

    // A PID file naming another process (recycled PID) must not get it killed.
    let mut sleeper = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    std::fs::write(&pidfile, format!("{} 1\n", sleeper.id())).unwrap();
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    assert!(
        sleeper.try_wait().unwrap().is_none(),
        "stop killed an unrelated process"
    );
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
}

#[test]
#[ignore = "needs root"]
fn network_namespace_parameter() {
    require_root("network namespaces");
    let mut lab = Lab::new();
    let ns = lab.ns_with_pair("n");
    ip(&["-n", &ns, "addr", "add", "10.251.8.1/24", "dev", "eth0"]);
    let env = [
        ("ip", "10.251.8.5"),
        ("network_namespace", ns.as_str()),
        ("arp_count", "1"),
    ];
    lab.run_here(IPADDR2, &["monitor"], &probe_env(&env))
        .expect(NOT_RUNNING);
    lab.run_here(IPADDR2, &["start"], &env).expect(OK);
    assert!(lab.addrs(&ns).contains("eth0    inet 10.251.8.5/24"));
    lab.run_here(IPADDR2, &["monitor"], &recurring(&env))
        .expect(OK);
    lab.run_here(IPADDR2, &["stop"], &env).expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.8.5/"));

    let missing = [
        ("ip", "10.251.8.5"),
        ("network_namespace", "rustha-no-such-ns"),
    ];
    lab.run_here(IPADDR2, &["start"], &missing)
        .expect_reason(CONFIGURED, "rustha-no-such-ns");
    lab.run_here(IPADDR2, &["monitor"], &probe_env(&missing))
        .expect(NOT_RUNNING);
    lab.run_here(IPADDR2, &["stop"], &missing).expect(OK);
}

#[test]
#[ignore = "needs root"]
fn arp_count_refresh_announces_on_monitor() {
    require_root("network namespaces");
    let mut lab = Lab::new();
    let ns = lab.segment(&["a", "p"]);
    let (a, p) = (&ns[0], &ns[1]);
    ip(&["-n", a, "addr", "add", "10.251.9.1/24", "dev", "eth0"]);
    ip(&["-n", p, "addr", "add", "10.251.9.3/24", "dev", "eth0"]);
    let env = [
        ("ip", "10.251.9.100"),
        ("arp_count", "1"),
        ("arp_bg", "false"),
    ];
    lab.run(a, IPADDR2, &["start"], &env).expect(OK);
    // The peer holds a stale, wrong entry (as after a split brain).
    ip(&[
        "-n",
        p,
        "neigh",
        "replace",
        "10.251.9.100",
        "lladdr",
        "02:00:00:00:00:99",
        "dev",
        "eth0",
        "nud",
        "stale",
    ]);
    let mut refresh = recurring(&env);
    refresh.push(("arp_count_refresh", "2"));
    lab.run(a, IPADDR2, &["monitor"], &refresh).expect(OK);
    let mac_a = mac_of(a, "eth0");
    wait_for("the refresh to correct the peer", || {
        neighbour(p, "10.251.9.100").contains(&mac_a)
    });
    lab.run(a, IPADDR2, &["stop"], &env).expect(OK);
}

/// ocf-tester (including the meta-data check against ra-api-1.dtd), IPv4 and IPv6.
#[test]
#[ignore = "needs root"]
fn ocf_tester_passes() {
    require_root("network namespaces");
    if std::process::Command::new("ocf-tester")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("ocf-tester is not installed (apt-get install resource-agents)");
    }
    let mut lab = Lab::new();
    let ns = lab.ns_with_pair("t");
    ip(&["-n", &ns, "addr", "add", "10.251.10.1/24", "dev", "eth0"]);
    ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        "fd00:251:10::1/64",
        "dev",
        "eth0",
        "nodad",
    ]);
    let root = lab.state.join("ocf");
    let dir = root.join("resource.d/rustha");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink("/usr/lib/ocf/lib", root.join("lib")).unwrap();
    let agent = dir.join("IPaddr2");
    std::os::unix::fs::symlink(IPADDR2, &agent).unwrap();
    let agent = agent.to_string_lossy().into_owned();
    for args in [
        vec![
            "-o",
            "ip=10.251.10.10",
            "-o",
            "cidr_netmask=24",
            "-o",
            "nic=eth0",
        ],
        vec!["-o", "ip=10.251.10.11"],
        vec![
            "-o",
            "ip=fd00:251:10::10",
            "-o",
            "cidr_netmask=64",
            "-o",
            "nic=eth0",
        ],
        vec!["-o", "ip=fd00:251:10::11"],
    ] {
        let out = std::process::Command::new("ip")
            .args(["netns", "exec", &ns, "ocf-tester", "-n", "rustha-test"])
            .args(&args)
            .arg(&agent)
            .env("OCF_ROOT", &root)
            .env("HA_RSCTMP", &lab.state)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && text.contains("passed all tests"),
            "ocf-tester {args:?}:\n{text}"
        );
    }
}

#[test]
#[ignore = "needs root"]
fn lvs_support_moves_a_loopback_address_and_puts_it_back() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    ip(&["-n", &ns, "addr", "add", "10.251.1.70/32", "dev", "lo"]);
    let env = [
        ("ip", "10.251.1.70"),
        ("lvs_support", "true"),
        ("flush_routes", "true"),
        ("arp_count", "1"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    let a = lab.addrs(&ns);
    assert!(a.contains("eth0    inet 10.251.1.70/24"), "{a}");
    assert!(!a.contains("lo    inet 10.251.1.70/32"), "{a}");
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect(OK);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    let a = lab.addrs(&ns);
    assert!(!a.contains("eth0    inet 10.251.1.70/"), "{a}");
    assert!(a.contains("lo    inet 10.251.1.70/32"), "{a}");
}

#[test]
#[ignore = "needs root"]
fn status_prints_running_or_stopped() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let env = [("ip", "10.251.1.80"), ("arp_count", "1")];
    let out = lab.run(&ns, IPADDR2, &["status"], &env);
    assert_eq!((out.code, out.stdout.trim()), (NOT_RUNNING, "stopped"));
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    let out = lab.run(&ns, IPADDR2, &["status"], &env);
    assert_eq!((out.code, out.stdout.trim()), (OK, "running"));
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
}

#[test]
#[ignore = "needs root"]
fn waits_are_bounded_by_the_operation_timeout() {
    require_root("network namespaces");
    let mut lab = Lab::new();
    let ns = lab.ns("w");
    // eth0 up, its peer never: no carrier, so DAD can never finish.
    ip(&[
        "link", "add", "eth0", "netns", &ns, "type", "veth", "peer", "name", "eth1", "netns", &ns,
    ]);
    ip(&["-n", &ns, "link", "set", "eth0", "up"]);
    ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        "fd00:251:11::1/64",
        "dev",
        "eth0",
        "nodad",
    ]);
    let env = [("ip", "fd00:251:11::10"), ("CRM_meta_timeout", "3000")];
    let t = Instant::now();
    let out = lab.run(&ns, IPADDR2, &["start"], &env);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "start took {:?} with a 3 s timeout",
        t.elapsed()
    );
    out.expect(OK);
    assert!(out.stderr.contains("tentative"), "{}", out.stderr);
    // The link is down, so monitor reports the resource stopped, with the reason.
    lab.run(&ns, IPADDR2, &["monitor"], &recurring(&env))
        .expect_reason(NOT_RUNNING, "eth0 is down");
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    assert!(!lab.addrs(&ns).contains("fd00:251:11::10/"));
}

#[test]
#[ignore = "needs root"]
fn lvs_ipv6_addrlabel_adds_and_removes_the_policy() {
    require_root("network namespaces");
    let mut lab = Lab::new();
    let ns = lab.ns_with_pair("l");
    ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        "fd00:251:12::1/64",
        "dev",
        "eth0",
        "nodad",
    ]);
    let env = [
        ("ip", "fd00:251:12::10"),
        ("nodad", "true"),
        ("lvs_ipv6_addrlabel", "true"),
        ("lvs_ipv6_addrlabel_value", "77"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    let labels = ip(&["-n", &ns, "addrlabel", "list"]);
    assert!(
        labels.contains("prefix fd00:251:12::10/128 label 77"),
        "{labels}"
    );
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    let labels = ip(&["-n", &ns, "addrlabel", "list"]);
    assert!(!labels.contains("fd00:251:12::10"), "{labels}");
}
