// SPDX-License-Identifier: GPL-2.0-or-later
//! How every Filesystem test runs the agent: as Pacemaker does, one instance name, logging off.
#![allow(dead_code)] // each test file uses part of it

use rustha_testkit::{Agent, Outcome};

pub const AGENT: &str = env!("CARGO_BIN_EXE_Filesystem");

/// The agent as Pacemaker runs it, with instance parameters `params` and `extra_env`.
pub fn agent_args(args: &[&str], params: &[(&str, &str)], extra_env: &[(&str, &str)]) -> Outcome {
    Agent::ocf(AGENT)
        .instance("fs-test")
        .env("HA_LOGFACILITY", "none")
        .args(args)
        .params(params)
        .envs(extra_env)
        .run()
}

pub fn agent(action: &str, params: &[(&str, &str)], extra_env: &[(&str, &str)]) -> Outcome {
    agent_args(&[action], params, extra_env)
}
