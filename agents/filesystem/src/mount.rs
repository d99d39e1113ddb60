// SPDX-License-Identifier: GPL-2.0-or-later
//! Mount mechanics: fsck before mounting, and the mount itself — mount(2) for block devices and
//! bind mounts, the `mount` helper for network and helper-backed file systems, loop images and
//! an empty `fstype` (it detects the type).

use crate::options;
use crate::params::{Config, Source};
use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags};
use rustha_ocf::{bail, Error, Result};
use rustha_support::{command, Command, Deadline};
use std::path::Path;
use tracing::{info, warn};

pub(crate) fn fsck(p: &Config, dev: &Path, deadline: &Deadline) -> Result<()> {
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
fn needs_helper(p: &Config) -> bool {
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

pub(crate) fn do_mount(
    p: &Config,
    device: Option<&Path>,
    dir: &str,
    deadline: &Deadline,
) -> Result<()> {
    let fail = |why: String| {
        Error::generic(format!(
            "Couldn't mount device [{}] as {dir}: {why}",
            p.device
        ))
    };
    // EINVAL: the kernel names no culprit; the options and type are the likely ones, so they
    // come first (Pacemaker keeps 128 bytes of a reason).
    let rejected = || {
        Error::generic(format!(
            "options \"{}\" or fstype {} rejected for [{}] on {dir} (EINVAL; or a bad superblock)",
            rustha_support::text::shown(&options::redact(&p.options_raw)),
            p.fstype,
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
        Errno::EINVAL => rejected(),
        e => fail(format!("{} ({e:?})", e.desc())),
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
        .map_err(describe)?;
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
                    describe(e).reason
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
    .map_err(describe)
}
