//! The runtime's contract with Pacemaker, exercised through `run_with`.

use ocf_metadata::{Action as A, Agent, Kind, Parameter};
use rustha_ocf::{run_with, Action, Code, Error};

static AGENT: Agent = Agent {
    name: "Test",
    version: "1.0",
    shortdesc: "test agent",
    longdesc: "",
    parameters: &[
        Parameter::new("ip", Kind::String, "address").required(),
        Parameter::new("count", Kind::Integer, "count").default("5"),
    ],
    actions: &[
        A::new("start", 20),
        A::new("stop", 30),
        A::new("monitor", 20).interval(10),
        A::new("meta-data", 5),
        A::new("reload-agent", 5),
    ],
};

fn call(argv: &[&str], env: &[(&str, &str)]) -> (Code, String, Option<rustha_ocf::Meta>) {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut out = Vec::new();
    let mut seen = None;
    let code = run_with(
        &AGENT,
        Some(|pos: &[String]| Ok(vec![("ip", pos[0].clone())])),
        &argv,
        &env,
        |inv| {
            seen = Some(inv.meta.clone());
            match inv.action {
                Action::Start => Ok(Code::Success),
                Action::Monitor if inv.is_probe() => Ok(Code::NotRunning),
                Action::Monitor => Err(Error::generic("monitor failed")),
                _ => Ok(Code::Success),
            }
        },
        &mut out,
    );
    (code, String::from_utf8(out).unwrap(), seen)
}

#[test]
fn meta_data_follows_the_callers_ocf_version() {
    let (code, xml, _) = call(&["meta-data"], &[]);
    assert_eq!(code, Code::Success);
    assert!(xml.contains("<version>1.0</version>") && !xml.contains("reload-agent"));
    let (_, xml, _) = call(
        &["meta-data"],
        &[("OCF_RA_VERSION_MAJOR", "1"), ("OCF_RA_VERSION_MINOR", "1")],
    );
    assert!(xml.contains("<version>1.1</version>") && xml.contains("reload-agent"));
}

#[test]
fn missing_arguments_and_unknown_actions() {
    assert_eq!(call(&[], &[]).0, Code::ErrArgs);
    let (code, out, _) = call(&["frobnicate"], &[("OCF_RESKEY_ip", "x")]);
    assert_eq!(code, Code::Unimplemented);
    assert!(out.contains("usage: Test {start|stop|monitor"));
}

#[test]
fn parameters_are_validated_before_the_handler_runs() {
    let (code, _, seen) = call(&["start"], &[]);
    assert_eq!(code, Code::ErrConfigured);
    assert!(seen.is_none(), "handler must not run on invalid parameters");
    let (code, _, _) = call(
        &["start"],
        &[("OCF_RESKEY_ip", "x"), ("OCF_RESKEY_count", "many")],
    );
    assert_eq!(code, Code::ErrConfigured);
}

#[test]
fn stop_with_an_unusable_configuration_succeeds() {
    assert_eq!(call(&["stop"], &[]).0, Code::Success);
}

#[test]
fn probes_and_meta_attributes() {
    let env = [
        ("OCF_RESKEY_ip", "x"),
        ("OCF_RESKEY_CRM_meta_timeout", "7000"),
    ];
    let (code, _, meta) = call(&["monitor"], &env);
    assert_eq!(code, Code::NotRunning);
    assert_eq!(meta.unwrap().timeout.as_millis(), 7000);
    let env = [
        ("OCF_RESKEY_ip", "x"),
        ("OCF_RESKEY_CRM_meta_interval", "10000"),
    ];
    assert_eq!(call(&["monitor"], &env).0, Code::ErrGeneric);
    // Without a timeout meta attribute, the action's default from the meta-data applies.
    let (_, _, meta) = call(&["stop"], &[("OCF_RESKEY_ip", "x")]);
    assert_eq!(meta.unwrap().timeout.as_secs(), 30);
}

#[test]
fn legacy_positional_arguments_become_parameters() {
    let (code, _, seen) = call(&["10.0.0.5", "start"], &[]);
    assert_eq!(code, Code::Success);
    assert!(seen.is_some());
}
