// SPDX-License-Identifier: GPL-2.0-or-later
//! The tier that touches the system: drbdadm and drbdsetup run directly with the deadline,
//! /proc/drbd read as a file, block device holders from sysfs.

use crate::params::Params;
use drbd_status::{events2, proc_drbd, sh_status, Resource};
use rustha_ocf::{Error, Result};
use rustha_support::{run, Command, Deadline, Output};
use std::path::Path;

pub const PROC_DRBD: &str = "/proc/drbd";

/// Where a program is found on PATH (no process spawned).
pub fn which(program: &str) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

pub fn tool(cmd: Command, deadline: &Deadline) -> Result<Output> {
    let name = cmd.name();
    run(&cmd, deadline).map_err(|e| Error::generic(format!("{name}: {e}")))
}

/// `drbdadm -c CONF ARGS... RES`.
pub fn drbdadm(p: &Params, args: &[&str], deadline: &Deadline) -> Result<Output> {
    let cmd = Command::new("drbdadm")
        .args(["-c", p.drbdconf.as_str()])
        .args(args.iter().copied())
        .arg(p.drbd_resource.as_str())
        .env(
            "OCF_RESKEY_unfence_extra_args",
            p.unfence_extra_args.as_str(),
        );
    tool(cmd, deadline)
}

/// The last meaningful line of a failed tool, for a reason.
pub fn said(o: &Output) -> String {
    let line = o
        .stderr
        .lines()
        .chain(o.stdout.lines())
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("Command '"))
        .unwrap_or("");
    let line: String = line.chars().take(80).collect();
    format!("exit {}: {line}", o.code())
}

/// The loaded module's /proc/drbd, `None` when the module is not loaded.
pub fn proc_drbd() -> Option<proc_drbd::ProcDrbd> {
    let text = std::fs::read_to_string(PROC_DRBD).ok()?;
    Some(proc_drbd::parse(&text).unwrap_or_default())
}

/// What the kernel says about the resource. `None` for the module not loaded.
pub struct Observed {
    pub resource: Resource,
    pub module: proc_drbd::ProcDrbd,
    pub v9: bool,
}

pub fn observe(p: &Params, deadline: &Deadline) -> Result<Option<Observed>> {
    let Some(module) = proc_drbd() else {
        return Ok(None);
    };
    let v9 = module.version.is_some_and(|v| v.0 >= 9);
    let res = &p.drbd_resource;
    let resource = if v9 {
        let o = tool(
            Command::new("drbdsetup").args(["events2", "--now", "--statistics", res.as_str()]),
            deadline,
        )?;
        if !o.success() && o.stdout.trim().is_empty() {
            return Err(Error::generic(format!(
                "drbdsetup events2 {res}: {}",
                said(&o)
            )));
        }
        events2::parse(&o.stdout, res)
            .map_err(|e| Error::generic(format!("drbdsetup events2 {res}: {e}")))?
            .resource
    } else if let Some(r) = debugfs_minor_links()
        .map(|links| proc_drbd::resource_from(&module, res, &links))
        .filter(|r| !r.is_unconfigured())
    {
        // 8.4 without a process: /proc/drbd has the state of every minor, debugfs says which
        // minors are this resource's volumes. "Not found" there is confirmed by sh-status.
        r
    } else {
        // 8.4: an unknown resource prints nothing (exit 10 or 19).
        let o = tool(
            Command::new(drbdsetup_84()).args(["sh-status", res.as_str()]),
            deadline,
        )?;
        let mut r = sh_status::parse(&o.stdout, res)
            .map_err(|e| Error::generic(format!("drbdsetup sh-status {res}: {e}")))?;
        if !o.success() && !r.is_unconfigured() {
            return Err(Error::generic(format!(
                "drbdsetup sh-status {res}: {}",
                said(&o)
            )));
        }
        // The kernel's own resync ETA is only in /proc/drbd.
        for v in &r.volumes {
            let Some(m) = v.minor.and_then(|n| module.minor(n)) else {
                continue;
            };
            let Some(sync) = m.sync else { continue };
            for peer in &mut r.peers {
                for pv in peer.volumes.iter_mut().filter(|pv| pv.volume == v.volume) {
                    pv.sync = Some(sync);
                }
            }
        }
        r
    };
    Ok(Some(Observed {
        resource,
        module,
        v9,
    }))
}

/// debugfs' `drbd/minors/N -> ../resources/RES/volumes/V` links; `None` when debugfs is not
/// mounted (then sh-status is asked).
pub fn debugfs_minor_links() -> Option<Vec<(u32, String)>> {
    let dir = std::fs::read_dir("/sys/kernel/debug/drbd/minors").ok()?;
    let mut links = Vec::new();
    for e in dir.flatten() {
        let Some(minor) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if let Ok(t) = std::fs::read_link(e.path()) {
            links.push((minor, t.to_string_lossy().into_owned()));
        }
    }
    Some(links)
}

/// drbd-utils 9 answers an 8.4 kernel by executing drbdsetup-84: call it directly (one process
/// less per monitor) when it is installed.
fn drbdsetup_84() -> &'static str {
    ["/usr/lib/drbd/drbdsetup-84", "/lib/drbd/drbdsetup-84"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("drbdsetup")
}

/// Who holds the resource's devices open: mounts and device-mapper holders, for reasons.
pub fn holders(r: &Resource) -> String {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut found = Vec::new();
    for v in &r.volumes {
        let Some(minor) = v.minor else { continue };
        let dev = format!("drbd{minor}");
        let majmin = std::fs::read_to_string(format!("/sys/block/{dev}/dev")).unwrap_or_default();
        let majmin = majmin.trim();
        for line in mounts.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            if f.len() > 4 && !majmin.is_empty() && f[2] == majmin {
                found.push(format!("/dev/{dev} mounted on {}", f[4]));
            }
        }
        if let Ok(entries) = std::fs::read_dir(format!("/sys/block/{dev}/holders")) {
            for e in entries.flatten() {
                found.push(format!(
                    "/dev/{dev} held by {}",
                    e.file_name().to_string_lossy()
                ));
            }
        }
    }
    found.join(", ")
}

pub fn exists(path: &str) -> bool {
    Path::new(path).exists()
}
