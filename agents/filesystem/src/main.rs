// SPDX-License-Identifier: GPL-2.0-or-later
//! `ocf:rustha:Filesystem`: mounts a file system on start, unmounts it on stop (stopping the
//! processes that hold it), and checks it on monitor. Drop-in for `ocf:heartbeat:Filesystem`.
//!
//! - start: validate, refuse `/` and a directory with mounts below it, resolve UUID/LABEL, fsck per
//!   `run_fsck`, create the directory, mount (mount(2) for block devices and bind mounts, the
//!   `mount` helper only for network and helper-backed file systems and loop images).
//! - monitor: depth 0 the right device is mounted on the directory; 10 the device's first block
//!   reads (O_DIRECT); 20 a status file can be written, synced, read back and removed.
//! - stop: unmount submounts deepest first, then the directory; while busy, signal the processes
//!   that hold it (`term_signals`, `signal_delay`, `kill_signals`); network file systems fall back
//!   to a forced, then lazy, unmount. Everything within the operation's deadline.
//!
//! Modules: `params` (the parameters, typed), `mountinfo` (the mount table parser), `device`
//! (UUID/LABEL), `options` (mount options → flags), `holders` (the /proc walk), `unmount`
//! (busy unmounts), `blockio` (bounded I/O for the deep monitors), `fstypes` (kernel support).

mod blockio;
mod description;
mod device;
mod fstypes;
mod holders;
mod identity;
mod lock;
mod mountinfo;
mod options;
mod params;
mod unmount;

use blockio::{bounded, flush_buffers, write_read_remove, Block};
use description::FILESYSTEM;
use fstypes::fstype_supported;
use identity::{Presence, System};
use mountinfo::Mount;
use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags};
use params::{is_network, Params, Source, CLUSTER_FS};
use rustha_ocf::{bail, Action, Code, Error, Invocation, Result};
use rustha_support::{command, Command, Deadline};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tracing::{info, warn};
use unmount::{unmount, warn_if_still_in_use};

fn main() -> ExitCode {
    rustha_ocf::run_handler(&FILESYSTEM, Some(legacy_args), |inv| {
        let p = Params::from(inv)?;
        match inv.action {
            Action::Start => start(&p, inv),
            Action::Stop => stop(&p, inv),
            Action::Monitor | Action::Status => monitor(&p, inv),
            Action::ValidateAll => validate(&p, inv).map(|_| Code::Success),
            Action::ReloadAgent => reload_agent(&p, inv),
            ref other => Err(Error::new(
                Code::Unimplemented,
                format!("action {:?} is not supported by Filesystem", other.name()),
            )),
        }
    })
}

/// heartbeat v1: `Filesystem DEVICE DIRECTORY [FSTYPE [OPTIONS]] ACTION`.
fn legacy_args(pos: &[String]) -> Result<Vec<(&'static str, String)>> {
    if pos.len() > 4 {
        bail!(
            ErrArgs,
            "expected at most 4 positional arguments (device directory fstype options), got {}: {:?}",
            pos.len(),
            pos.join(" ")
        );
    }
    Ok(["device", "directory", "fstype", "options"]
        .into_iter()
        .zip(pos.iter().cloned())
        .collect())
}

// ---------------------------------------------------------------------------------------------
// validate-all

/// Everything start checks before it changes anything.
fn validate(p: &Params, inv: &Invocation) -> Result<()> {
    if p.directory == "/" {
        bail!(
            ErrConfigured,
            "directory \"/\" cannot be managed (the root file system)"
        );
    }
    if inv.meta.is_clone() {
        check_clone(p)?;
    }
    fstype_supported(&p.fstype, &inv.deadline, false)?;
    // A mount point is not looked at (a dead NFS server would block even a stat of it): what is
    // mounted there is the running resource, which validate-all and reload-agent must not wait on.
    let mounted = read_mounts()
        .map(|t| mountinfo::mounted_at(&t, &p.mount_point(&t)).is_some())
        .unwrap_or(false);
    if !mounted {
        match std::fs::metadata(&p.directory) {
            Ok(m) if !m.is_dir() => bail!(
                ErrInstalled,
                "Couldn't use [{}] as a mount point: it exists and is not a directory",
                p.directory
            ),
            _ => {}
        }
    }
    match p.source {
        Source::Block => {
            p.block_device(&inv.deadline)?;
        }
        Source::Bind => {
            if !Path::new(&p.device).exists() {
                bail!(
                    ErrInstalled,
                    "bind mount source [{}] does not exist",
                    p.device
                );
            }
        }
        Source::Network | Source::Other => {}
    }
    Ok(())
}

/// OCF 1.1 reload-agent: Pacemaker calls it instead of a restart when only reloadable parameters
/// changed (statusfile_prefix, run_fsck, fast_stop, force_unmount, term_signals, kill_signals,
/// signal_delay). They are read afresh by the action that uses them (monitor depth 20, start,
/// stop), so after the same checks as validate-all nothing is left to do: the mount is not
/// touched and the new values apply from the next monitor, start or stop.
fn reload_agent(p: &Params, inv: &Invocation) -> Result<Code> {
    validate(p, inv)?;
    info!(
        "reload-agent: new parameters for {} accepted (force_unmount {}, term_signals {:?}, kill_signals {:?}, signal_delay {}s, fast_stop {}); they apply from the next monitor, start or stop",
        p.directory,
        if p.kill_holders { "yes" } else { "no" },
        p.term_signals,
        p.kill_signals,
        p.signal_delay.as_secs(),
        p.fast_stop
    );
    Ok(Code::Success)
}

fn check_clone(p: &Params) -> Result<()> {
    let safe = CLUSTER_FS.contains(&p.fstype.as_str()) || is_network(&p.fstype);
    if safe {
        return Ok(());
    }
    if p.force_clones {
        warn!(
            "{} on {} is NOT cluster-aware! But we'll let it run because force_clones is set.",
            p.fstype, p.device
        );
        return Ok(());
    }
    if p.options.read_only {
        warn!(
            "{} on {} is NOT cluster-aware! But we'll let it run because it is mounted read-only.",
            p.fstype, p.device
        );
        return Ok(());
    }
    bail!(
        ErrConfigured,
        "DANGER! {} on {} is NOT cluster-aware! Refusing to run it as a clone (set force_clones=true if you are sure)",
        p.fstype,
        p.device
    )
}

// ---------------------------------------------------------------------------------------------
// start

fn start(p: &Params, inv: &Invocation) -> Result<Code> {
    validate(p, inv)?;
    let table = read_mounts()?;
    let dir = p.mount_point(&table);
    if dir == "/" {
        bail!(
            ErrConfigured,
            "directory {:?} resolves to \"/\" (the root file system)",
            p.directory
        );
    }
    // A concurrent start of the same resource finishes first; then it is found mounted here.
    let _lock = lock::lock(&inv.state_dir(), &dir, &inv.deadline)?;
    let table = read_mounts()?;
    match on_directory(p, &table, &dir, &inv.deadline) {
        Presence::Absent => {}
        Presence::Ours(_) => {
            info!("Filesystem {dir} is already mounted.");
            return Ok(Code::Success);
        }
        foreign => bail!(ErrGeneric, "{}", foreign.foreign_reason(p, &dir, &System)),
    }
    if let Some(sub) = mountinfo::submounts(&table, &dir).last() {
        bail!(
            ErrConfigured,
            "There is one or more mounts mounted under {dir} (e.g. {}); refusing to mount over them",
            sub.mount_point
        );
    }
    let device = match p.source {
        Source::Block => Some(p.block_device(&inv.deadline)?),
        _ => None,
    };
    fstype_supported(&p.fstype, &inv.deadline, true)?;
    if let (Some(dev), true) = (&device, p.fsck_needed()) {
        fsck(p, dev, &inv.deadline)?;
    }
    if !Path::new(&dir).is_dir() {
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::installed(format!(
                "Couldn't create directory [{dir}] to use as a mount point: {e}"
            ))
        })?;
    }
    if let Some(dev) = &device {
        flush_buffers(dev);
    }
    if let Err(e) = do_mount(p, device.as_deref(), &dir, &inv.deadline) {
        // EBUSY from a mount made meanwhile by something that does not take our lock (another
        // version of this agent): success if what is mounted now is this resource.
        let table = read_mounts()?;
        match on_directory(p, &table, &dir, &inv.deadline) {
            Presence::Ours(m) => {
                info!("{} was mounted on {dir} meanwhile ({})", m.source, e.reason)
            }
            _ => return Err(e),
        }
    }

    let table = read_mounts()?;
    match on_directory(p, &table, &dir, &inv.deadline) {
        Presence::Ours(m) => {
            info!("mounted {} on {dir} ({})", m.source, m.fstype);
            Ok(Code::Success)
        }
        Presence::Absent => bail!(
            ErrGeneric,
            "mount of [{}] on {dir} reported success, but nothing is mounted there",
            p.device
        ),
        foreign => bail!(ErrGeneric, "{}", foreign.foreign_reason(p, &dir, &System)),
    }
}

fn fsck(p: &Params, dev: &Path, deadline: &Deadline) -> Result<()> {
    info!("Starting filesystem check on {}", dev.display());
    let mut cmd = Command::new("fsck");
    if !p.fstype.is_empty() {
        cmd = cmd.args(["-t", &p.fstype]);
    }
    let out = command::run(&cmd.arg("-p").arg(dev.as_os_str()), deadline)?;
    // fsck: 0 clean, 1 errors corrected, 2 reboot advised, >= 4 errors left, usage or operational error.
    if out.code() >= 4 {
        // The tool's complaint first (stderr), then its explanation, without banners.
        let text = format!("{}\n{}", out.stderr, out.stdout);
        let summary: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.len() > 1 && !l.starts_with("fsck from") && !l.ends_with(':'))
            .take(3)
            .collect();
        let tail = summary.join(" | ");
        bail!(
            ErrGeneric,
            "Couldn't successfully fsck filesystem for {} (fsck exit {}): {tail}",
            dev.display(),
            out.code()
        );
    }
    if out.code() != 0 {
        warn!(
            "fsck of {} corrected errors (exit {})",
            dev.display(),
            out.code()
        );
    }
    Ok(())
}

/// A helper (`mount.nfs`, `mount.cifs`, ...) does what the kernel alone cannot.
fn needs_helper(p: &Params) -> bool {
    p.options.loop_device
        || p.fstype.is_empty()
        || (p.fstype == "none" && p.source != Source::Bind)
        || p.source == Source::Network
        || (!p.fstype.is_empty()
            && p.source != Source::Bind
            && ["/sbin", "/usr/sbin", "/bin", "/usr/bin"]
                .iter()
                .any(|d| Path::new(&format!("{d}/mount.{}", p.fstype)).exists()))
}

fn do_mount(p: &Params, device: Option<&Path>, dir: &str, deadline: &Deadline) -> Result<()> {
    let fail = |why: String| {
        Error::generic(format!(
            "Couldn't mount device [{}] as {dir}: {why}",
            p.device
        ))
    };
    if needs_helper(p) {
        let mut cmd = Command::new("mount");
        if !p.fstype.is_empty() && p.fstype != "none" {
            cmd = cmd.args(["-t", &p.fstype]);
        }
        // mount.cifs takes the password from PASSWD: keep it out of argv.
        let mut opts = p.options_raw.clone();
        if matches!(p.fstype.as_str(), "cifs" | "smb3" | "smbfs") {
            let (rest, password) = options::split_password(&p.options_raw);
            if let Some(pw) = password {
                opts = rest;
                cmd = cmd.env("PASSWD", pw);
            }
        }
        if !opts.is_empty() {
            cmd = cmd.args(["-o", &opts]);
        }
        let dev = device
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.spec.tag().unwrap_or_else(|| p.device.clone()));
        let out =
            command::run(&cmd.arg(dev).arg(dir), deadline).map_err(|e| fail(e.to_string()))?;
        if !out.success() {
            return Err(fail(format!(
                "mount exit {}: {}",
                out.code(),
                out.last_line()
            )));
        }
        return Ok(());
    }
    let describe = |e: Errno| match e {
        Errno::EINVAL => format!(
            "the kernel rejected it (EINVAL: wrong fstype {:?}, \
             bad options {:?} or a bad superblock)",
            p.fstype,
            options::redact(&p.options_raw)
        ),
        e => format!("{} ({e:?})", e.desc()),
    };
    if p.source == Source::Bind {
        let flags = MsFlags::MS_BIND | (p.options.flags & MsFlags::MS_REC);
        nix::mount::mount(
            Some(p.device.as_str()),
            dir,
            None::<&str>,
            flags,
            None::<&str>,
        )
        .map_err(|e| fail(describe(e)))?;
        if p.options.bind_needs_remount() {
            if let Err(e) = nix::mount::mount(
                None::<&str>,
                dir,
                None::<&str>,
                p.options.bind_remount_flags(),
                None::<&str>,
            ) {
                let _ = nix::mount::umount2(dir, MntFlags::MNT_DETACH);
                return Err(fail(format!(
                    "bind mount made, but applying {:?} by remount failed: {}",
                    options::redact(&p.options_raw),
                    describe(e)
                )));
            }
        }
        return Ok(());
    }
    let source = device
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.device.clone());
    let data = p.options.data_string();
    nix::mount::mount(
        Some(source.as_str()),
        dir,
        Some(p.fstype.as_str()),
        p.options.flags,
        data.as_deref(),
    )
    .map_err(|e| fail(describe(e)))
}

// ---------------------------------------------------------------------------------------------
// monitor

fn read_mounts() -> Result<Vec<Mount>> {
    mountinfo::read().map_err(|e| Error::generic(format!("cannot read /proc/self/mountinfo: {e}")))
}

/// What is mounted on the directory: the configured resource, something else, or nothing.
fn on_directory(p: &Params, table: &[Mount], dir: &str, deadline: &Deadline) -> Presence {
    let id = identity::identify(p, table, deadline);
    identity::presence(&id, &p.fstype, table, dir, &System)
}

fn monitor(p: &Params, inv: &Invocation) -> Result<Code> {
    let table = read_mounts()?;
    let dir = p.mount_point(&table);
    let m = match on_directory(p, &table, &dir, &inv.deadline) {
        Presence::Absent => {
            if inv.action == Action::Status {
                info!("{} is unmounted (stopped)", p.directory);
            }
            return Ok(Code::NotRunning);
        }
        Presence::Ours(m) => m,
        foreign => bail!(ErrGeneric, "{}", foreign.foreign_reason(p, &dir, &System)),
    };
    let m = &m;
    if inv.action == Action::Status {
        info!("{} is mounted (running)", p.directory);
    }
    match inv.check_level {
        0 => {}
        10 => read_first_block(p, m, &inv.deadline)?,
        20 => status_file(p, m, &inv.deadline)?,
        n => bail!(
            ErrConfigured,
            "unsupported monitor level {n} (expected 0, 10 or 20)"
        ),
    }
    Ok(Code::Success)
}

fn read_first_block(p: &Params, m: &Mount, deadline: &Deadline) -> Result<()> {
    if p.source != Source::Block || m.major == 0 {
        warn!("{} is not a block device, monitor 10 is noop", p.device);
        return Ok(());
    }
    let dev = p
        .block_device(deadline)
        .map_err(|e| Error::generic(e.reason))?;
    let what = format!("direct read of the first block of {}", dev.display());
    bounded(deadline, what, move || {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let mut buf = Box::new(Block([0; 4096]));
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECT)
            .open(&dev)
            .and_then(|mut f| f.read(&mut buf.0))
            .map_err(|e| Error::generic(format!("Failed to read device {}: {e}", dev.display())))
            .and_then(|n| match n {
                0 => Err(Error::generic(format!(
                    "Failed to read device {}: it is empty",
                    dev.display()
                ))),
                _ => Ok(()),
            })
    })
}

fn status_file(p: &Params, m: &Mount, deadline: &Deadline) -> Result<()> {
    let shown = p.statusfile_in(&m.mount_point);
    if m.read_only() {
        // The cause first: Pacemaker keeps 128 bytes of a reason.
        bail!(
            ErrGeneric,
            "{} is mounted read-only: failed to write status file {}",
            m.mount_point,
            p.statusfile.display()
        );
    }
    let direct = p.source == Source::Block;
    let content = format!(
        "{}\n",
        std::env::var("OCF_RESOURCE_INSTANCE").unwrap_or_default()
    );
    let what = format!("writing the status file {}", shown.display());
    let (mount, rel) = (m.clone(), p.statusfile.clone());
    bounded(deadline, what, move || {
        write_read_remove(&mount, &rel, content.as_bytes(), direct)
    })
}

// ---------------------------------------------------------------------------------------------
// stop

fn stop(p: &Params, inv: &Invocation) -> Result<Code> {
    let table = read_mounts()?;
    let dir = p.mount_point(&table);
    let _lock = lock::lock(&inv.state_dir(), &dir, &inv.deadline)?;
    let table = read_mounts()?;
    let id = identity::identify(p, &table, &inv.deadline);
    let first = match identity::presence(&id, &p.fstype, &table, &dir, &System) {
        Presence::Absent => {
            info!("{dir} is not mounted");
            return Ok(Code::Success);
        }
        Presence::Ours(m) => m,
        Presence::Foreign {
            top,
            ours_below: false,
        } => {
            // Not ours: the resource is stopped, and the other file system is not ours to take.
            warn!(
                "{} is mounted on {dir}, not the configured {}: not unmounting it",
                identity::describe(&top, &System),
                p.device
            );
            return Ok(Code::Success);
        }
        Presence::Foreign { top, .. } => {
            warn!(
                "{} is mounted on {dir} over the configured {}: unmounting both",
                identity::describe(&top, &System),
                p.device
            );
            top
        }
    };
    if dir == "/" {
        bail!(ErrConfigured, "refusing to unmount \"/\"");
    }
    // Mounts stacked on the directory are unmounted one layer per round, until the resource's
    // own is gone (layers above it hide it; layers below it are not ours).
    let mut table = table;
    let mut ours = None;
    for _ in 0..16 {
        let (top, is_ours) = match identity::presence(&id, &p.fstype, &table, &dir, &System) {
            Presence::Ours(m) => {
                ours = Some(m.clone());
                (m, true)
            }
            Presence::Foreign {
                top,
                ours_below: true,
            } => (top, false),
            _ => break,
        };
        // Other mounts of the same block device go too (as stock), never for a bind mount.
        let device_of_ours = is_ours && matches!(id, identity::Identity::Device { .. });
        for m in unmount_order(&table, &dir, &top, device_of_ours) {
            let budget = if p.fast_stop {
                inv.deadline.capped(Duration::from_secs(6))
            } else {
                inv.deadline
            };
            info!("Trying to unmount {}", m.mount_point);
            unmount(p, &m, &budget)?;
        }
        table = read_mounts()?;
    }
    match identity::presence(&id, &p.fstype, &table, &dir, &System) {
        Presence::Ours(m)
        | Presence::Foreign {
            top: m,
            ours_below: true,
        } => bail!(
            ErrGeneric,
            "Couldn't unmount {dir}: {} is still mounted there",
            m.source
        ),
        _ => {}
    }
    let first = ours.unwrap_or(first);
    if p.source == Source::Block && first.major != 0 {
        let dev = PathBuf::from(&first.source);
        flush_buffers(&dev);
        warn_if_still_in_use(&dev, (first.major, first.minor), &inv.deadline);
    }
    Ok(Code::Success)
}

/// Submounts deepest first, other mounts of the same block device (as the stock agent does;
/// `device_of_ours`: `top` is the configured block device), then the directory itself.
fn unmount_order(table: &[Mount], dir: &str, top: &Mount, device_of_ours: bool) -> Vec<Mount> {
    let mut targets: Vec<Mount> = mountinfo::submounts(table, dir)
        .into_iter()
        .cloned()
        .collect();
    if device_of_ours && top.major != 0 && top.source.starts_with("/dev/") {
        let mut others: Vec<Mount> = table
            .iter()
            .filter(|m| (m.major, m.minor) == (top.major, top.minor))
            .filter(|m| !mountinfo::is_under(&m.mount_point, dir) && m.mount_point != "/")
            .cloned()
            .collect();
        others.sort_by_key(|m| std::cmp::Reverse(m.mount_point.matches('/').count()));
        targets.extend(others);
    }
    targets.push(top.clone());
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_positional_arguments() {
        let args: Vec<String> = ["/dev/sda3", "/ogfs", "ogfs", "hostdata=x"]
            .map(String::from)
            .to_vec();
        let v = legacy_args(&args).unwrap();
        assert_eq!(
            v,
            vec![
                ("device", "/dev/sda3".to_string()),
                ("directory", "/ogfs".to_string()),
                ("fstype", "ogfs".to_string()),
                ("options", "hostdata=x".to_string())
            ]
        );
        assert_eq!(legacy_args(&args[..2]).unwrap().len(), 2);
        let too_many: Vec<String> = vec!["a".into(); 5];
        assert_eq!(legacy_args(&too_many).unwrap_err().code, Code::ErrArgs);
    }
}
