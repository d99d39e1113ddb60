// SPDX-License-Identifier: GPL-2.0-or-later
//! Running an agent as Pacemaker (or stonith-ng) does, always with a deadline, and what came out.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One invocation of an agent binary. Built up, then [`Agent::run`].
#[must_use]
pub struct Agent {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    clear_ocf_env: bool,
    netns: Option<String>,
    stdin: Option<Vec<u8>>,
    deadline: Duration,
}

impl Agent {
    /// `program` with the test's environment, stdin closed.
    pub fn new(program: impl Into<OsString>) -> Agent {
        Agent {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            clear_ocf_env: false,
            netns: None,
            stdin: None,
            deadline: Duration::from_secs(120),
        }
    }

    /// An OCF resource agent: the test's own `OCF_*` and `HA_*` variables are removed, and
    /// `OCF_ROOT=/usr/lib/ocf` is set (as Pacemaker's executor does).
    pub fn ocf(program: impl Into<OsString>) -> Agent {
        let mut a = Agent::new(program);
        a.clear_ocf_env = true;
        a.env("OCF_ROOT", "/usr/lib/ocf")
    }

    /// Run it inside network namespace `ns` (`ip netns exec`).
    pub fn netns(mut self, ns: &str) -> Agent {
        self.netns = Some(ns.to_string());
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Agent {
        self.args.push(arg.into());
        self
    }

    pub fn args<S: Into<OsString> + Clone>(mut self, args: &[S]) -> Agent {
        self.args.extend(args.iter().cloned().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Agent {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Each `(KEY, value)` as an environment variable.
    pub fn envs(mut self, vars: &[(&str, &str)]) -> Agent {
        for (k, v) in vars {
            self = self.env(*k, *v);
        }
        self
    }

    /// An instance parameter: `OCF_RESKEY_<name>=value`.
    pub fn param(self, name: &str, value: impl Into<OsString>) -> Agent {
        self.env(format!("OCF_RESKEY_{name}"), value)
    }

    /// Each `(name, value)` as an instance parameter.
    pub fn params(mut self, params: &[(&str, &str)]) -> Agent {
        for (k, v) in params {
            self = self.param(k, *v);
        }
        self
    }

    /// `OCF_RESOURCE_INSTANCE`.
    pub fn instance(self, name: &str) -> Agent {
        self.env("OCF_RESOURCE_INSTANCE", name)
    }

    /// Bytes for stdin (the fence agents' key=value input); stdin is /dev/null otherwise.
    pub fn stdin(mut self, input: impl AsRef<[u8]>) -> Agent {
        self.stdin = Some(input.as_ref().to_vec());
        self
    }

    /// Kill it (SIGKILL) after `d` (default 120 s) and report [`Outcome::timed_out`].
    pub fn deadline(mut self, d: Duration) -> Agent {
        self.deadline = d;
        self
    }

    /// Run it to the end (or the deadline).
    pub fn run(self) -> Outcome {
        let mut c = match &self.netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(&self.program);
                c
            }
            None => Command::new(&self.program),
        };
        c.args(&self.args);
        if self.clear_ocf_env {
            for (k, _) in std::env::vars_os() {
                let s = k.to_string_lossy();
                if s.starts_with("OCF_") || s.starts_with("HA_") {
                    c.env_remove(&k);
                }
            }
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let name = self.program.to_string_lossy().into_owned();
        let mut child = c
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
        let writer = match (self.stdin, child.stdin.take()) {
            (Some(input), Some(mut w)) => Some(std::thread::spawn(move || {
                let _ = w.write_all(&input);
            })),
            _ => None,
        };
        let mut out = child.stdout.take().expect("stdout pipe");
        let mut err = child.stderr.take().expect("stderr pipe");
        let out_t = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = out.read_to_end(&mut b);
            b
        });
        let err_t = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = err.read_to_end(&mut b);
            b
        });
        let start = Instant::now();
        let mut timed_out = false;
        let status = loop {
            if let Some(st) = child.try_wait().expect("wait for the agent") {
                break st;
            }
            if start.elapsed() > self.deadline {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("wait for the agent");
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        if let Some(w) = writer {
            let _ = w.join();
        }
        use std::os::unix::process::ExitStatusExt;
        Outcome {
            code: status.code().unwrap_or(-1),
            signal: status.signal(),
            timed_out,
            elapsed: start.elapsed(),
            stdout: String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned(),
            stderr: String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned(),
        }
    }
}

/// What an agent run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The exit code; -1 when a signal ended it (see `signal`).
    pub code: i32,
    pub signal: Option<i32>,
    /// The runner's deadline expired and it killed the agent.
    pub timed_out: bool,
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The last `ocf-exit-reason:` line's text ("" when there is none).
    pub fn reason(&self) -> String {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("ocf-exit-reason:"))
            .next_back()
            .unwrap_or("")
            .to_string()
    }

    /// Non-empty stderr lines.
    pub fn error_lines(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Asserts the exit code (showing stderr when it differs).
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert!(
            !self.timed_out,
            "killed at the test's deadline; stderr:\n{}",
            self.stderr
        );
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        self
    }

    /// Asserts the exit code and that the exit reason mentions `needle`.
    #[track_caller]
    pub fn expect_reason(&self, code: i32, needle: &str) -> &Self {
        self.expect(code);
        assert!(
            self.reason().contains(needle),
            "exit reason {:?} should mention {needle:?}",
            self.reason()
        );
        self
    }
}
