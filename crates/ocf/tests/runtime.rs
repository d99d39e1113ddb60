// SPDX-License-Identifier: GPL-2.0-or-later
//! The runtime's contract with Pacemaker and heartbeat, exercised through `run_with` with a
//! small agent whose "resource" is a flag in memory.

use rustha_ocf::params::parse;
use rustha_ocf::{
    params, run_with, ActionSpec, Code, Context, Description, Error, Kind, Parameter, Positional,
    ResourceAgent, State,
};
use std::cell::RefCell;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

params! {
    #[derive(PartialEq)]
    pub struct TestParams {
        pub ip: String = Parameter::new("ip", Kind::String, "address")
            .required().unique().identifies().example("10.0.0.1")
            => |v: &str| if v.contains('.') { Ok(v.to_string()) } else { Err("an address with dots".into()) },
        pub count: u32 = Parameter::new("count", Kind::Integer, "count")
            .default("5").reloadable()
            => parse::positive_u32,
        pub bg: bool = Parameter::new("bg", Kind::Boolean, "background").default("false")
            => parse::boolean,
    }
}

static DESCRIPTION: Description = Description {
    name: "Test",
    version: "1.0",
    shortdesc: "test agent",
    longdesc: "A test agent.",
    actions: &[
        ActionSpec::new("start", 20),
        ActionSpec::new("stop", 30),
        ActionSpec::new("monitor", 20).interval(10),
        ActionSpec::new("meta-data", 5),
        ActionSpec::new("validate-all", 5),
        ActionSpec::new("reload-agent", 5),
    ],
    see_also: &[],
};

/// The "resource": running or not; every action the runtime let through, with its
/// parameters and timeout.
#[derive(Default)]
struct TestAgent {
    running: bool,
    calls: RefCell<Vec<(String, TestParams, u128)>>,
    /// What monitor returns instead of the state, if set.
    monitor_error: Option<Error>,
}

impl TestAgent {
    fn record(&self, p: &TestParams, ctx: &Context) {
        self.calls.borrow_mut().push((
            ctx.action.name().to_string(),
            p.clone(),
            ctx.meta.timeout.as_millis(),
        ));
    }
}

impl ResourceAgent for TestAgent {
    type Params = TestParams;
    fn description(&self) -> &'static Description {
        &DESCRIPTION
    }
    fn positional(&self, args: &[String]) -> rustha_ocf::Result<Positional> {
        Ok(vec![("ip", args[0].clone())])
    }
    fn start(&self, p: &TestParams, ctx: &Context) -> rustha_ocf::Result<()> {
        self.record(p, ctx);
        Ok(())
    }
    fn stop(&self, p: &TestParams, ctx: &Context) -> rustha_ocf::Result<()> {
        self.record(p, ctx);
        Ok(())
    }
    fn monitor(&self, p: &TestParams, ctx: &Context) -> rustha_ocf::Result<State> {
        self.record(p, ctx);
        if let Some(e) = &self.monitor_error {
            return Err(e.clone());
        }
        Ok(if self.running {
            State::Running
        } else {
            State::Stopped
        })
    }
    fn validate(&self, p: &TestParams, ctx: &Context) -> rustha_ocf::Result<()> {
        self.record(p, ctx);
        Ok(())
    }
}

struct Outcome {
    code: Code,
    stdout: String,
    calls: Vec<(String, TestParams, u128)>,
}

fn call_agent(agent: TestAgent, argv: &[&str], env: &[(&str, &str)]) -> Outcome {
    let argv: Vec<OsString> = argv.iter().map(OsString::from).collect();
    let env: Vec<(OsString, OsString)> = env
        .iter()
        .map(|(k, v)| (OsString::from(format!("OCF_RESKEY_{k}")), OsString::from(v)))
        .collect();
    let mut out = Vec::new();
    let code = run_with(&agent, &argv, env, &mut out);
    Outcome {
        code,
        stdout: String::from_utf8(out).unwrap(),
        calls: agent.calls.into_inner(),
    }
}

fn call(argv: &[&str], env: &[(&str, &str)]) -> Outcome {
    call_agent(TestAgent::default(), argv, env)
}

fn running(argv: &[&str], env: &[(&str, &str)]) -> Outcome {
    call_agent(
        TestAgent {
            running: true,
            ..Default::default()
        },
        argv,
        env,
    )
}

const PROBE: (&str, &str) = ("CRM_meta_interval", "0");
const RECURRING: (&str, &str) = ("CRM_meta_interval", "10000");

#[test]
fn meta_data_follows_the_callers_ocf_version() {
    let o = call(&["meta-data"], &[]);
    assert_eq!(o.code, Code::Success);
    assert!(o.stdout.contains("<version>1.0</version>") && !o.stdout.contains("reload-agent"));
    assert!(o
        .stdout
        .contains("<parameter name=\"ip\" unique=\"1\" required=\"1\">"));
    let argv: Vec<OsString> = vec!["meta-data".into()];
    let env = vec![
        ("OCF_RA_VERSION_MAJOR".into(), "1".into()),
        ("OCF_RA_VERSION_MINOR".into(), "1".into()),
    ];
    let mut out = Vec::new();
    run_with(&TestAgent::default(), &argv, env, &mut out);
    let xml = String::from_utf8(out).unwrap();
    assert!(xml.contains("<version>1.1</version>") && xml.contains("reload-agent"));
    assert!(
        xml.contains("<parameter name=\"ip\" unique=\"1\" required=\"1\" unique-group=\"ip\">"),
        "{xml}"
    );
}

#[test]
fn the_agent_renders_its_man_page() {
    let o = call(&["manpage"], &[]);
    assert_eq!(o.code, Code::Success);
    assert!(o.stdout.starts_with(".TH OCF_RUSTHA_TEST 7"));
    assert!(o.stdout.contains("params ip=10.0.0.1"));
    assert!(o.stdout.contains(".SH SEE ALSO"));
}

#[test]
fn no_action_is_rc_3_with_usage_and_extra_words_are_ignored() {
    let o = call(&[], &[]);
    assert_eq!(o.code, Code::Unimplemented);
    assert!(o.stdout.contains("usage: Test {start|stop|monitor"));
    // `AGENT start extra` is start, not heartbeat's positional form.
    let o = call(&["start", "extra"], &[("ip", "10.0.0.1")]);
    assert_eq!(o.code, Code::Success);
    assert_eq!(o.calls.len(), 1);
    assert_eq!(o.calls[0].0, "start");
}

#[test]
fn unknown_and_unlisted_actions_are_refused() {
    for action in ["frobnicate", "promote", "reload", "migrate_to", "notify"] {
        let o = call(&[action], &[("ip", "10.0.0.1")]);
        assert_eq!(o.code, Code::Unimplemented, "{action}");
        assert!(o.calls.is_empty(), "{action} reached the agent");
    }
    // usage and methods print; status is heartbeat's probe where monitor is listed.
    assert_eq!(call(&["usage"], &[]).code, Code::Success);
    let m = call(&["methods"], &[]);
    assert!(m.stdout.lines().any(|l| l == "reload-agent"));
}

#[test]
fn start_and_validate_refuse_invalid_parameters() {
    for env in [
        &[][..],
        &[("ip", "nodots")],
        &[("ip", "10.0.0.1"), ("count", "0")],
        &[("ip", "10.0.0.1"), ("bg", "bogus")],
    ] {
        for action in ["start", "validate-all", "reload-agent"] {
            let o = call(&[action], env);
            assert_eq!(o.code, Code::ErrConfigured, "{action} {env:?}");
            assert!(o.calls.is_empty(), "{action} {env:?} reached the agent");
        }
    }
}

#[test]
fn stop_rule_invalid_side_parameters_still_stop_with_defaults() {
    // The resource is running; a side parameter is invalid: stop must still act.
    let o = running(&["stop"], &[("ip", "10.0.0.1"), ("count", "abc")]);
    assert_eq!(o.code, Code::Success);
    assert_eq!(o.calls.len(), 1, "stop did not act");
    assert_eq!(
        o.calls[0].1.count, 5,
        "the default stands in for the invalid value"
    );
    let o = running(&["stop"], &[("ip", "10.0.0.1"), ("bg", "bogus")]);
    assert_eq!(o.calls.len(), 1, "stop did not act");
}

#[test]
fn stop_rule_unidentifiable_parameters_name_nothing_running() {
    for env in [&[][..], &[("ip", "nodots")]] {
        let o = running(&["stop"], env);
        assert_eq!(o.code, Code::Success, "{env:?}");
        assert!(o.calls.is_empty());
    }
}

#[test]
fn stop_never_turns_an_agent_error_into_success() {
    struct Failing;
    impl ResourceAgent for Failing {
        type Params = TestParams;
        fn description(&self) -> &'static Description {
            &DESCRIPTION
        }
        fn start(&self, _: &TestParams, _: &Context) -> rustha_ocf::Result<()> {
            Ok(())
        }
        fn stop(&self, _: &TestParams, _: &Context) -> rustha_ocf::Result<()> {
            Err(Error::configured("cannot tell"))
        }
        fn monitor(&self, _: &TestParams, _: &Context) -> rustha_ocf::Result<State> {
            Ok(State::Running)
        }
        fn validate(&self, _: &TestParams, _: &Context) -> rustha_ocf::Result<()> {
            Ok(())
        }
    }
    let argv = vec![OsString::from("stop")];
    let env = vec![("OCF_RESKEY_ip".into(), "10.0.0.1".into())];
    assert_eq!(
        run_with(&Failing, &argv, env, &mut Vec::new()),
        Code::ErrConfigured
    );
    // The default promote/demote/notify are unimplemented with a reason (if listed).
}

#[test]
fn probe_policy() {
    // A side parameter's type or range error never hides a running resource, and never bans it.
    for bad in [("count", "0"), ("count", "abc"), ("bg", "bogus")] {
        for interval in [PROBE, RECURRING] {
            let env = [("ip", "10.0.0.1"), bad, interval];
            assert_eq!(running(&["monitor"], &env).code, Code::Success, "{env:?}");
            assert_eq!(call(&["monitor"], &env).code, Code::NotRunning, "{env:?}");
        }
    }
    // Identifying parameters that name nothing: not running, probe or recurring.
    for env in [
        &[PROBE][..],
        &[("ip", "nodots"), PROBE],
        &[("ip", "x"), RECURRING],
    ] {
        let o = running(&["monitor"], env);
        assert_eq!(o.code, Code::NotRunning, "{env:?}");
        assert!(o.calls.is_empty());
    }
    // A configuration error found by the agent on monitor: not running, not 6.
    let o = call_agent(
        TestAgent {
            monitor_error: Some(Error::configured("no such thing")),
            ..Default::default()
        },
        &["monitor"],
        &[("ip", "10.0.0.1"), RECURRING],
    );
    assert_eq!(o.code, Code::NotRunning);
    // Other failures stay failures.
    let o = call_agent(
        TestAgent {
            monitor_error: Some(Error::generic("broken")),
            running: true,
            ..Default::default()
        },
        &["monitor"],
        &[("ip", "10.0.0.1"), PROBE],
    );
    assert_eq!(o.code, Code::ErrGeneric);
}

#[test]
fn status_prints_running_or_stopped() {
    let o = running(&["status"], &[("ip", "10.0.0.1")]);
    assert_eq!((o.code, o.stdout.as_str()), (Code::Success, "running\n"));
    let o = call(&["status"], &[("ip", "10.0.0.1")]);
    assert_eq!((o.code, o.stdout.as_str()), (Code::NotRunning, "stopped\n"));
    // heartbeat v1: positional arguments before the action.
    let o = running(&["10.0.0.1", "status"], &[]);
    assert_eq!((o.code, o.stdout.as_str()), (Code::Success, "running\n"));
    assert_eq!(o.calls[0].1.ip, "10.0.0.1");
}

#[test]
fn timeout_from_meta_attribute_else_the_default_for_0_negative_garbage() {
    let t = |v: &str| call(&["start"], &[("ip", "1.2.3.4"), ("CRM_meta_timeout", v)]).calls[0].2;
    assert_eq!(t("7000"), 7000);
    for bad in ["0", "-5", "abc", "1e3"] {
        assert_eq!(t(bad), 20_000, "{bad}");
    }
    // Without the meta attribute, the action's default from the meta-data.
    assert_eq!(running(&["stop"], &[("ip", "1.2.3.4")]).calls[0].2, 30_000);
}

#[test]
fn non_utf8_bytes_never_panic() {
    let bad = || OsString::from_vec(vec![0x66, 0xff, 0xfe]);
    // Anywhere in the environment, in someone else's variable: no effect.
    for action in ["meta-data", "stop", "start", "monitor"] {
        let argv = vec![OsString::from(action)];
        let env = vec![
            (OsString::from("FOO"), bad()),
            (bad(), OsString::from("x")),
            ("OCF_RESKEY_ip".into(), "10.0.0.1".into()),
        ];
        let code = run_with(&TestAgent::default(), &argv, env, &mut Vec::new());
        assert!(
            matches!(code, Code::Success | Code::NotRunning),
            "{action}: {code:?}"
        );
    }
    // In one of our parameters: a configuration error with a reason (a side one on stop: the
    // default).
    let argv = vec![OsString::from("start")];
    let env = vec![
        ("OCF_RESKEY_ip".into(), "10.0.0.1".into()),
        ("OCF_RESKEY_count".into(), bad()),
    ];
    assert_eq!(
        run_with(&TestAgent::default(), &argv, env, &mut Vec::new()),
        Code::ErrConfigured
    );
    // In argv: an unknown action, or a positional argument.
    let code = run_with(&TestAgent::default(), &[bad()], vec![], &mut Vec::new());
    assert_eq!(code, Code::Unimplemented);
    let code = run_with(
        &TestAgent::default(),
        &[bad(), "start".into()],
        vec![],
        &mut Vec::new(),
    );
    assert_eq!(code, Code::ErrArgs);
}
