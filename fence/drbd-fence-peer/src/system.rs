// SPDX-License-Identifier: GPL-2.0-or-later
//! The tier that touches the system: drbdsetup, cibadmin, crm_node, crm_attribute, run directly
//! with deadlines; and the lock file.

use crate::Cluster;
use drbd_status::{events2, Resource};
use rustha_support::{run, Command, Deadline};
use std::os::fd::AsRawFd;
use std::time::Duration;

/// Runs the real tools. `env` is added to their environment (e.g. `CIB_file`, which makes
/// cibadmin work on a CIB file instead of the cluster's).
#[derive(Debug, Clone, Default)]
pub struct Real {
    pub env: Vec<(String, String)>,
}

impl Real {
    fn tool(&self, cmd: Command, deadline: &Deadline) -> Result<String, String> {
        let cmd = self.env.iter().fold(cmd, |c, (k, v)| c.env(k, v));
        tool(cmd, deadline)
    }
}

fn tool(cmd: Command, deadline: &Deadline) -> Result<String, String> {
    let name = cmd.name();
    match run(&cmd, deadline) {
        Ok(o) if o.success() => Ok(o.stdout),
        Ok(o) => Err(format!(
            "{name} exited {}: {}",
            o.code(),
            o.stderr.lines().last().unwrap_or("").trim()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// cibadmin's own timeout, in whole seconds, within ours.
fn cib_timeout(deadline: &Deadline) -> String {
    deadline.remaining().as_secs().clamp(1, 3600).to_string()
}

impl Cluster for Real {
    fn drbd_state(&mut self, resource: &str, deadline: &Deadline) -> Result<Resource, String> {
        let out = self.tool(
            Command::new("drbdsetup").args(["events2", "--now", resource]),
            deadline,
        )?;
        events2::parse(&out, resource)
            .map(|p| p.resource)
            .map_err(|e| e.to_string())
    }

    fn cib(&mut self, deadline: &Deadline) -> Result<String, String> {
        self.tool(
            Command::new("cibadmin").args(["-Q", "-t", &cib_timeout(deadline)]),
            deadline,
        )
    }

    fn create(&mut self, xml: &str, deadline: &Deadline) -> Result<(), String> {
        let t = cib_timeout(deadline);
        self.tool(
            Command::new("cibadmin").args(["-C", "-o", "constraints", "-t", &t, "-X", xml]),
            deadline,
        )
        .map(drop)
    }

    fn replace(&mut self, xml: &str, deadline: &Deadline) -> Result<(), String> {
        let t = cib_timeout(deadline);
        self.tool(
            Command::new("cibadmin").args(["-R", "-o", "constraints", "-t", &t, "-X", xml]),
            deadline,
        )
        .map(drop)
    }

    fn delete(&mut self, xml: &str, deadline: &Deadline) -> Result<(), String> {
        let t = cib_timeout(deadline);
        self.tool(
            Command::new("cibadmin").args(["-D", "-o", "constraints", "-t", &t, "-X", xml]),
            deadline,
        )
        .map(drop)
    }

    fn node_name(&mut self, deadline: &Deadline) -> String {
        let d = deadline.capped(Duration::from_secs(5));
        self.tool(Command::new("crm_node").arg("-n"), &d)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(hostname)
    }

    fn request_terminate(&mut self, node: &str, deadline: &Deadline) -> Result<(), String> {
        self.tool(
            Command::new("crm_attribute").args([
                "-t",
                "status",
                "-N",
                node,
                "-n",
                "terminate",
                "-v",
                "1",
            ]),
            deadline,
        )
        .map(drop)
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The per-resource lock of the stock handler (`LOCKDIR/fence.RES`), held until dropped.
pub struct Lock(#[allow(dead_code)] std::fs::File);

/// Take the lock, waiting at most `wait`. `Ok(None)` when locking is disabled.
pub fn lock(path: &str, wait: Duration) -> Result<Option<Lock>, String> {
    if path == "NONE" {
        return Ok(None);
    }
    if let Some(dir) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| format!("{path}: {e}"))?;
    let d = Deadline::after(wait);
    loop {
        // SAFETY: flock on a file descriptor we own.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(Some(Lock(f)));
        }
        if !d.sleep(Duration::from_millis(200)) {
            return Err(format!("{path}: still locked after {} s", wait.as_secs()));
        }
    }
}
