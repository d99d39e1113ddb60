// SPDX-License-Identifier: GPL-2.0-or-later
//! Running an external tool (lvm, fsck, mount helpers, password scripts) the safe way: directly,
//! never through a shell, with its output captured and its run time bounded by a [`Deadline`].
//!
//! The child stays in the agent's process group on purpose: if Pacemaker kills the group at the
//! operation timeout, the child goes with it instead of living on as an orphan.

use crate::Deadline;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

/// What to run. Build with [`Command::new`], then pass to [`run`].
#[derive(Debug, Clone)]
pub struct Command {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
}

impl Command {
    pub fn new(program: impl Into<OsString>) -> Self {
        Command {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
        }
    }

    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, k: impl Into<OsString>, v: impl Into<OsString>) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Bytes written to the child's standard input (the way to hand it a secret: never argv).
    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }

    /// The program's name, for messages.
    pub fn name(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }
}

#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// The exit code, or 128 + signal number when the child was killed by a signal.
    pub fn code(&self) -> i32 {
        use std::os::unix::process::ExitStatusExt;
        self.status
            .code()
            .unwrap_or_else(|| 128 + self.status.signal().unwrap_or(0))
    }

    /// The last non-empty line of stderr (or stdout): the usual place a tool says what went wrong.
    /// Never use this for a program whose stdout may carry a secret (a password script): use
    /// [`Output::stderr_last_line`] there.
    pub fn last_line(&self) -> &str {
        match self.stderr_last_line() {
            "" => last_non_empty(&self.stdout),
            line => line,
        }
    }

    /// The last non-empty line of stderr only.
    pub fn stderr_last_line(&self) -> &str {
        last_non_empty(&self.stderr)
    }
}

fn last_non_empty(s: &str) -> &str {
    s.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("cannot run {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} did not finish within {waited:.1?}; killed it")]
    Timeout { program: String, waited: Duration },
}

/// Run `cmd`, capturing stdout and stderr, killing it if it has not finished by `deadline`.
pub fn run(cmd: &Command, deadline: &Deadline) -> Result<Output, CommandError> {
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(&cmd.program)
        .args(&cmd.args)
        .envs(cmd.env.iter().map(|(k, v)| (k, v)))
        .env("LC_ALL", "C")
        .stdin(if cmd.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| CommandError::Spawn {
            program: cmd.name(),
            source,
        })?;

    // Threads drain the pipes so a chatty child never blocks on a full pipe while we wait.
    let writer = child
        .stdin
        .take()
        .zip(cmd.stdin.clone())
        .map(|(mut w, data)| {
            std::thread::spawn(move || {
                let _ = w.write_all(&data);
            })
        });
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );

    // Poll with a growing interval: fast tools return in about a millisecond, slow ones cost
    // little CPU.
    let mut interval = Duration::from_micros(200);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if deadline.expired() => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CommandError::Timeout {
                    program: cmd.name(),
                    waited: started.elapsed(),
                });
            }
            Ok(None) => {
                deadline.sleep(interval);
                interval = (interval * 2).min(Duration::from_millis(20));
            }
            Err(source) => {
                let _ = child.kill();
                return Err(CommandError::Spawn {
                    program: cmd.name(),
                    source,
                });
            }
        }
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    // A grandchild that kept the pipes open must not hold us past the deadline: the reader threads
    // are simply abandoned if they do not finish in time.
    let join = |h: std::thread::JoinHandle<String>| {
        let until = Deadline::after(deadline.remaining().min(Duration::from_millis(200)));
        until
            .poll(Duration::from_millis(1), || h.is_finished().then_some(()))
            .and_then(|_| h.join().ok())
            .unwrap_or_default()
    };
    Ok(Output {
        status,
        stdout: join(out),
        stderr: join(err),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_output_and_status() {
        let d = Deadline::after(Duration::from_secs(5));
        let o = run(
            &Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            &d,
        )
        .unwrap();
        assert_eq!(o.stdout, "out\n");
        assert_eq!(o.stderr, "err\n");
        assert_eq!(o.code(), 3);
        assert_eq!(o.last_line(), "err");
        let o = run(&Command::new("sh").args(["-c", "echo pw; exit 1"]), &d).unwrap();
        assert_eq!(o.last_line(), "pw");
        assert_eq!(o.stderr_last_line(), "");
    }

    #[test]
    fn stdin_reaches_the_child() {
        let d = Deadline::after(Duration::from_secs(5));
        let o = run(&Command::new("cat").stdin("secret\n"), &d).unwrap();
        assert_eq!(o.stdout, "secret\n");
    }

    #[test]
    fn kills_at_the_deadline() {
        let d = Deadline::after(Duration::from_millis(100));
        let started = std::time::Instant::now();
        let e = run(&Command::new("sleep").arg("10"), &d).unwrap_err();
        assert!(matches!(e, CommandError::Timeout { .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(e.to_string().contains("sleep did not finish"));
    }

    #[test]
    fn missing_program_is_an_error_not_a_panic() {
        let d = Deadline::after(Duration::from_secs(1));
        let e = run(&Command::new("/nonexistent/tool"), &d).unwrap_err();
        assert!(e.to_string().starts_with("cannot run /nonexistent/tool"));
    }
}
