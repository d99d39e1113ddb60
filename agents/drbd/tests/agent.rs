// SPDX-License-Identifier: GPL-2.0-or-later
//! What Pacemaker, pcs and ocf-tester see of the agent on this host (no DRBD module here: the
//! VM scenarios in tests/vmlab run it against real DRBD).

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_drbd");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(action: &str, env: &[(&str, &str)]) -> Out {
    let mut c = Command::new(BIN);
    c.arg(action)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    let state = std::env::temp_dir().join(format!("rustha-drbd-test-{}", std::process::id()));
    c.env("HA_RSCTMP", &state).env("HA_LOGFACILITY", "none");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("run the agent");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn reason(o: &Out) -> String {
    o.stderr
        .lines()
        .chain(o.stdout.lines())
        .find_map(|l| l.strip_prefix("ocf-exit-reason:"))
        .unwrap_or("")
        .to_string()
}

fn conf_without_r0() -> std::path::PathBuf {
    let f = std::env::temp_dir().join(format!("rustha-drbd-test-{}.conf", std::process::id()));
    std::fs::write(&f, "global { usage-count no; }\n").unwrap();
    f
}

#[test]
fn meta_data_valid_for_ocf_tester_and_pcs_in_1_0_and_1_1() {
    for (version, rng) in [
        (None, "/usr/share/pcs/data/ocf-1.0.rng"),
        (Some(("1", "1")), "/usr/share/pcs/data/ocf-1.1.rng"),
    ] {
        let xml = rustha_testkit::metadata::meta_data(BIN, version);
        if version.is_none() {
            let (ok, msg) = rustha_testkit::metadata::dtd_valid(&xml);
            assert!(ok, "DTD: {msg}");
            assert!(xml.contains("role=\"Master\""));
        } else {
            assert!(xml.contains("role=\"Promoted\""));
            assert!(xml.contains("reload-agent"));
        }
        assert!(
            std::path::Path::new(rng).exists(),
            "{rng} missing (apt-get install pcs)"
        );
        let (ok, msg) = rustha_testkit::metadata::rng_valid(rng, &xml);
        assert!(ok, "pcs schema {rng}: {msg}");
        for p in [
            "drbd_resource",
            "drbdconf",
            "adjust_master_score",
            "stop_outdates_secondary",
            "ignore_missing_notifications",
            "wfc_timeout",
            "remove_master_score_if_peer_primary",
            "fail_promote_early_if_peer_primary",
            "unfence_if_all_uptodate",
            "unfence_extra_args",
            "require_drbd_module_version_ge",
            "require_drbd_module_version_lt",
            "connect_only_after_promote",
        ] {
            assert!(
                xml.contains(&format!("<parameter name=\"{p}\"")),
                "{p} missing"
            );
        }
        assert!(xml.contains("default=\"0 10 1000 10000\""));
        assert!(xml.contains("default=\"/etc/drbd.conf\""));
    }
}

/// Without the module (this host) or with it, a resource that is not up is not running.
#[test]
fn probe_of_a_resource_that_is_not_up_is_not_running() {
    for interval in ["0", "20000"] {
        let o = run(
            "monitor",
            &[
                ("OCF_RESKEY_drbd_resource", "rustha-test-not-up"),
                ("OCF_RESKEY_CRM_meta_interval", interval),
            ],
        );
        assert_eq!(o.code, 7, "interval {interval}: {}", o.stderr);
    }
}

#[test]
fn configuration_errors_have_codes_and_reasons() {
    let conf = conf_without_r0();
    let conf = conf.to_str().unwrap();
    let base = [
        ("OCF_RESKEY_drbd_resource", "r0"),
        ("OCF_RESKEY_CRM_meta_notify", "true"),
        ("OCF_RESKEY_CRM_meta_clone_max", "2"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v: Vec<(&str, &str)> = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    // drbdconf missing: not installed (ocft drbd.linbit expects 5)
    let o = run(
        "start",
        &with(&[("OCF_RESKEY_drbdconf", "/nonexistent/drbd.conf")]),
    );
    assert_eq!(o.code, 5, "{}", o.stderr);
    assert!(
        reason(&o).contains("/nonexistent/drbd.conf"),
        "{}",
        reason(&o)
    );
    // resource not in drbdconf: not configured (ocft expects 6)
    let mut env = with(&[]);
    env.push(("OCF_RESKEY_drbdconf", conf));
    let o = run("start", &env);
    assert_eq!(o.code, 6, "{}", o.stderr);
    assert!(reason(&o).contains("drbd_resource r0"), "{}", reason(&o));
    // no notify
    let o = run(
        "start",
        &[
            ("OCF_RESKEY_drbd_resource", "r0"),
            ("OCF_RESKEY_drbdconf", conf),
        ],
    );
    assert_eq!(o.code, 6);
    assert!(reason(&o).contains("notify"), "{}", reason(&o));
    // meta attributes as stock
    let o = run(
        "start",
        &with(&[("OCF_RESKEY_CRM_meta_clone_node_max", "2")]),
    );
    assert_eq!(o.code, 6);
    assert!(reason(&o).starts_with("clone-node-max 2"), "{}", reason(&o));
    let o = run("start", &with(&[("OCF_RESKEY_CRM_meta_promoted_max", "3")]));
    assert_eq!(o.code, 6);
    assert!(reason(&o).starts_with("promoted-max 3"), "{}", reason(&o));
    // bad parameter values name the value first
    let o = run("start", &with(&[("OCF_RESKEY_adjust_master_score", "1 2")]));
    assert_eq!(o.code, 6);
    assert!(reason(&o).contains("adjust_master_score"), "{}", reason(&o));
    let o = run(
        "validate-all",
        &with(&[("OCF_RESKEY_require_drbd_module_version_ge", "8.x")]),
    );
    assert_eq!(o.code, 6);
    let o = run("start", &[("OCF_RESKEY_CRM_meta_notify", "true")]);
    assert_eq!(o.code, 6, "drbd_resource is required");
}

#[test]
fn missing_tools_are_not_installed() {
    let o = Command::new(BIN)
        .arg("start")
        .env_clear()
        .env("PATH", "/nonexistent")
        .env("HA_LOGFACILITY", "none")
        .env("OCF_RESKEY_drbd_resource", "r0")
        .env("OCF_RESKEY_CRM_meta_notify", "true")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&o.stderr).contains("drbdadm not found"));
}

#[test]
fn unknown_action_and_no_action() {
    assert_eq!(
        run("frobnicate", &[("OCF_RESKEY_drbd_resource", "r0")]).code,
        3
    );
}
