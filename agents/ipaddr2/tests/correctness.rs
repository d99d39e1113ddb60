// SPDX-License-Identifier: GPL-2.0-or-later
//! Issue 9 for IPaddr2/IPaddr, one test per item, against real interfaces in network
//! namespaces (root only): false successes, crashes, wrong codes, bounded reasons.

use rustha_testkit::netns::{ip, Lab};
use rustha_testkit::{require_root, Outcome};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

const IPADDR2: &str = env!("CARGO_BIN_EXE_IPaddr2");
const IPADDR: &str = env!("CARGO_BIN_EXE_IPaddr");

const OK: i32 = 0;
const GENERIC: i32 = 1;
const UNIMPLEMENTED: i32 = 3;
const CONFIGURED: i32 = 6;
const NOT_RUNNING: i32 = 7;

/// A namespace with eth0/eth1 and a base address 10.251.20.1/24 on eth0.
fn v4_lab() -> (Lab, String) {
    let mut lab = Lab::new();
    let ns = lab.ns_with_pair("c");
    ip(&["-n", &ns, "addr", "add", "10.251.20.1/24", "dev", "eth0"]);
    (lab, ns)
}

fn with<'a>(base: &[(&'a str, &'a str)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = base.to_vec();
    for (k, val) in more {
        v.retain(|(n, _)| n != k);
        v.push((k, val));
    }
    v
}

const PROBE: (&str, &str) = ("CRM_meta_interval", "0");
const RECURRING: (&str, &str) = ("CRM_meta_interval", "10000");

/// Item 1: an invalid side parameter never makes stop report success while the address is up;
/// stop removes it, with the parameter's default.
#[test]
#[ignore = "needs root"]
fn item1_stop_with_an_invalid_side_parameter_removes_the_address() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let base = [
        ("ip", "10.251.20.10"),
        ("arp_count", "1"),
        ("arp_bg", "false"),
    ];
    for bad in [
        ("arp_count", "abc"),
        ("arp_interval", "x"),
        ("arp_bg", "bogus"),
        ("arp_count_refresh", "-1"),
        ("run_arping", "maybe"),
        ("check_link_status", "perhaps"),
        ("flush_routes", "2"),
        ("preferred_lft", "soon"),
        ("arp_sender", "carrier-pigeon"),
        ("broadcast", "10.251"),
        ("lvs_support", "bogus"),
    ] {
        lab.run(&ns, IPADDR2, &["start"], &base).expect(OK);
        assert!(lab.addrs(&ns).contains("10.251.20.10/24"));
        let env = with(&base, &[bad]);
        // Monitor sees it running: an invalid side parameter does not hide it.
        lab.run(&ns, IPADDR2, &["monitor"], &with(&env, &[RECURRING]))
            .expect(OK);
        lab.run(&ns, IPADDR2, &["monitor"], &with(&env, &[PROBE]))
            .expect(OK);
        lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
        assert!(
            !lab.addrs(&ns).contains("10.251.20.10/"),
            "stop with {bad:?} returned 0 but left the address"
        );
    }
}

/// Item 1 through Pacemaker's path: reload-agent with the bad value fails (6), then stop with
/// the same parameters still removes the address.
#[test]
#[ignore = "needs root"]
fn item1_reload_agent_with_a_bad_value_then_stop() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let base = [
        ("ip", "10.251.20.11"),
        ("arp_count", "1"),
        ("arp_bg", "false"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &base).expect(OK);
    let bad = with(&base, &[("arp_count", "abc")]);
    lab.run(&ns, IPADDR2, &["reload-agent"], &bad)
        .expect_reason(CONFIGURED, "invalid arp_count \"abc\"");
    lab.run(&ns, IPADDR2, &["stop"], &bad).expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.20.11/"));
    // IPaddr's names too.
    let base = [
        ("ip", "10.251.20.12"),
        ("ARP_REPEAT", "1"),
        ("ARP_BACKGROUND", "no"),
    ];
    lab.run(&ns, IPADDR, &["start"], &base).expect(OK);
    lab.run(&ns, IPADDR, &["stop"], &with(&base, &[("ARP_REPEAT", "0")]))
        .expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.20.12/"));
}

/// Item 1, the other side of the rule: parameters that name no address (an invalid ip, a
/// CLUSTERIP clone) stop with success without touching anything.
#[test]
#[ignore = "needs root"]
fn item1_stop_of_parameters_that_name_nothing_succeeds() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let before = lab.addrs(&ns);
    for env in [
        &[("ip", "10.251.20.300")][..],
        &[("ip", "10.251.20.13"), ("cidr_netmask", "33")],
        &[("ip", "10.251.20.13"), ("CRM_meta_clone_max", "2")],
        &[],
    ] {
        lab.run(&ns, IPADDR2, &["stop"], env).expect(OK);
    }
    assert_eq!(lab.addrs(&ns), before);
}

/// Item 4: bytes that are not UTF-8 anywhere in the environment or argv never panic (101).
#[test]
#[ignore = "needs root"]
fn item4_non_utf8_environment_and_argv() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let run = |args: &[&OsStr], env: &[(&str, &OsStr)]| -> (i32, String) {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &ns, IPADDR2]).args(args);
        c.env("HA_RSCTMP", &lab.state);
        c.env(OsStr::from_bytes(b"FOO"), OsStr::from_bytes(b"\xff\xfe"));
        c.env(OsStr::from_bytes(b"B\xffR"), "x");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let s = |v: &str| OsStr::new(v).to_os_string();
    let ip = s("10.251.20.14");
    let env = [
        ("OCF_RESKEY_ip", ip.as_os_str()),
        ("OCF_RESKEY_arp_count", OsStr::new("1")),
    ];
    assert_eq!(run(&[OsStr::new("meta-data")], &[]).0, OK);
    assert_eq!(run(&[OsStr::new("start")], &env).0, OK);
    assert_eq!(run(&[OsStr::new("monitor")], &env).0, OK);
    assert_eq!(run(&[OsStr::new("stop")], &env).0, OK);
    assert!(!lab.addrs(&ns).contains("10.251.20.14/"));
    // A non-UTF-8 value of one of our parameters: a configuration error with a reason.
    let bad = [("OCF_RESKEY_ip", OsStr::from_bytes(b"10.251.20.\xff"))];
    let (code, stderr) = run(&[OsStr::new("start")], &bad);
    assert_eq!(code, CONFIGURED, "{stderr}");
    assert!(stderr.contains("ocf-exit-reason:invalid ip \"10.251.20.\u{fffd}\": not valid UTF-8"));
    // ... and for stop, the identifying ip names nothing this agent could have added.
    assert_eq!(run(&[OsStr::new("stop")], &bad).0, OK);
    // In argv: the action word, a positional argument.
    assert_eq!(
        run(&[OsStr::from_bytes(b"st\xffrt")], &env).0,
        UNIMPLEMENTED
    );
    assert_eq!(
        run(
            &[
                OsStr::from_bytes(b"10.251.20.15\xff/24"),
                OsStr::new("start")
            ],
            &[]
        )
        .0,
        2
    );
}

/// Item 5: the configured nic vanished under a running address: a recurring monitor fails
/// (1, as stock since 3.9.6); a probe finds it not running here.
#[test]
#[ignore = "needs root"]
fn item5_vanished_nic_is_a_failure_on_monitor() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    ip(&[
        "-n", &ns, "link", "add", "dummy7", "type", "veth", "peer", "name", "dummy8",
    ]);
    ip(&["-n", &ns, "link", "set", "dummy7", "up"]);
    ip(&["-n", &ns, "link", "set", "dummy8", "up"]);
    let env = [
        ("ip", "10.251.21.5"),
        ("nic", "dummy7"),
        ("cidr_netmask", "24"),
        ("arp_count", "1"),
    ];
    lab.run(&ns, IPADDR2, &["start"], &env).expect(OK);
    lab.run(&ns, IPADDR2, &["monitor"], &with(&env, &[RECURRING]))
        .expect(OK);
    ip(&["-n", &ns, "link", "del", "dummy7"]);
    lab.run(&ns, IPADDR2, &["monitor"], &with(&env, &[RECURRING]))
        .expect_reason(GENERIC, "dummy7");
    lab.run(&ns, IPADDR2, &["monitor"], &with(&env, &[PROBE]))
        .expect(NOT_RUNNING);
    lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
}

/// Item 6: one probe policy. Type and range errors of side parameters: the true state on a
/// probe and a recurring monitor (never 6); an invalid ip: not running (7), probe or not.
#[test]
#[ignore = "needs root"]
fn item6_probe_policy() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let base = [
        ("ip", "10.251.20.16"),
        ("arp_count", "1"),
        ("arp_bg", "false"),
    ];
    for bad in [("arp_bg", "bogus"), ("arp_count", "0"), ("arp_count", "x")] {
        for interval in [PROBE, RECURRING] {
            let env = with(&base, &[bad, interval]);
            lab.run(&ns, IPADDR2, &["monitor"], &env)
                .expect(NOT_RUNNING);
        }
    }
    lab.run(&ns, IPADDR2, &["start"], &base).expect(OK);
    for bad in [("arp_bg", "bogus"), ("arp_count", "0")] {
        for interval in [PROBE, RECURRING] {
            lab.run(&ns, IPADDR2, &["monitor"], &with(&base, &[bad, interval]))
                .expect(OK);
        }
    }
    for bad in [("ip", "10.251.20.300"), ("cidr_netmask", "33")] {
        for interval in [PROBE, RECURRING] {
            lab.run(&ns, IPADDR2, &["monitor"], &with(&base, &[bad, interval]))
                .expect(NOT_RUNNING);
        }
    }
    // start and validate-all refuse every one of them.
    for bad in [
        ("arp_bg", "bogus"),
        ("arp_count", "0"),
        ("ip", "10.251.20.300"),
    ] {
        lab.run(&ns, IPADDR2, &["validate-all"], &with(&base, &[bad]))
            .expect(CONFIGURED);
    }
    lab.run(&ns, IPADDR2, &["stop"], &base).expect(OK);
}

/// Item 7: a timeout of 0, negative or garbage gets the default budget (and one warning),
/// not a deadline already past.
#[test]
#[ignore = "needs root"]
fn item7_meta_timeout_zero_negative_garbage() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    for t in ["0", "-5", "abc"] {
        let env = [
            ("ip", "10.251.20.17"),
            ("arp_count", "1"),
            ("arp_bg", "false"),
            ("CRM_meta_timeout", t),
        ];
        let r = lab.run(&ns, IPADDR2, &["start"], &env);
        r.expect(OK);
        assert_eq!(
            r.stderr.matches("ignoring CRM_meta_timeout").count(),
            1,
            "{t}: {}",
            r.stderr
        );
        lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
        assert!(!lab.addrs(&ns).contains("10.251.20.17/"), "{t}");
    }
}

/// Item 11: concurrent starts of one resource all end with it started and rc 0.
#[test]
#[ignore = "needs root"]
fn item11_concurrent_starts_all_succeed() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    for round in 0..10 {
        let env = [
            ("ip", "10.251.20.18"),
            ("arp_count", "1"),
            ("arp_bg", "false"),
        ];
        let outcomes: Vec<Outcome> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|_| s.spawn(|| lab.run(&ns, IPADDR2, &["start"], &env)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for o in &outcomes {
            assert_eq!(o.code, OK, "round {round}: {}", o.stderr);
        }
        assert_eq!(lab.addrs(&ns).matches("10.251.20.18/24").count(), 1);
        lab.run(&ns, IPADDR2, &["stop"], &env).expect(OK);
    }
}

/// Item 12: heartbeat's `IPaddr 10.1.2.16/28/eth0`: the broadcast is the /28's highest address,
/// not the base address's .255.
#[test]
#[ignore = "needs root"]
fn item12_heartbeat_form_broadcast_is_the_subnets_highest_address() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    lab.run(&ns, IPADDR, &["10.251.20.16/28/eth0", "start"], &[])
        .expect(OK);
    let a = lab.addrs(&ns);
    assert!(a.contains("inet 10.251.20.16/28 brd 10.251.20.31"), "{a}");
    let r = lab.run(&ns, IPADDR, &["10.251.20.16/28/eth0", "status"], &[]);
    assert_eq!((r.code, r.stdout.as_str()), (OK, "running\n"));
    lab.run(&ns, IPADDR, &["10.251.20.16/28/eth0", "stop"], &[])
        .expect(OK);
    let r = lab.run(&ns, IPADDR, &["10.251.20.16/28/eth0", "status"], &[]);
    assert_eq!((r.code, r.stdout.as_str()), (NOT_RUNNING, "stopped\n"));
}

/// Item 13: no action is rc 3 with the usage; `IPaddr2 start extra` is start.
#[test]
#[ignore = "needs root"]
fn item13_command_line() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let r = lab.run(&ns, IPADDR2, &[], &[]);
    assert_eq!(r.code, UNIMPLEMENTED);
    assert!(r
        .stdout
        .contains("usage: IPaddr2 {start|stop|status|monitor"));
    assert!(r.reason().starts_with("no action given"));
    let env = [("ip", "10.251.20.19"), ("arp_count", "1")];
    lab.run(&ns, IPADDR2, &["start", "extra"], &env).expect(OK);
    assert!(lab.addrs(&ns).contains("10.251.20.19/24"));
    lab.run(&ns, IPADDR2, &["stop", "extra"], &env).expect(OK);
    assert!(!lab.addrs(&ns).contains("10.251.20.19/"));
    // Actions the meta-data does not list are refused with a reason.
    for action in ["promote", "reload", "migrate_to", "frobnicate"] {
        let r = lab.run(&ns, IPADDR2, &[action], &env);
        assert_eq!(r.code, UNIMPLEMENTED, "{action}");
        assert!(!r.reason().is_empty(), "{action}");
    }
}

/// Items 17 and 20: echoed values are bounded and escaped; the exit reason is at most 128
/// bytes with the bad value first; the full text is in the log.
#[test]
#[ignore = "needs root"]
fn items17_20_reasons_are_bounded_escaped_and_name_the_value_first() {
    require_root("network namespaces");
    let (lab, ns) = v4_lab();
    let huge = "9".repeat(100_000) + "x";
    let r = lab.run(
        &ns,
        IPADDR2,
        &["start"],
        &[("ip", "10.251.20.20"), ("arp_count", &huge)],
    );
    r.expect(CONFIGURED);
    assert!(
        r.reason().starts_with("invalid arp_count \"9999"),
        "{}",
        r.reason()
    );
    assert!(r.reason().len() <= 128, "{} bytes", r.reason().len());
    assert!(
        r.stderr.len() < 2_000,
        "a 100 KB value was echoed: {} bytes",
        r.stderr.len()
    );
    let forged = "1\nocf-exit-reason:forged";
    let r = lab.run(
        &ns,
        IPADDR2,
        &["start"],
        &[("ip", "10.251.20.20"), ("arp_count", forged)],
    );
    r.expect(CONFIGURED);
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("ocf-exit-reason:"))
            .count(),
        1,
        "{}",
        r.stderr
    );
    assert!(
        r.reason().contains("1\\nocf-exit-reason:forged"),
        "{}",
        r.reason()
    );
    assert!(!r
        .stderr
        .lines()
        .any(|l| l.starts_with("ocf-exit-reason:forged")));
}
