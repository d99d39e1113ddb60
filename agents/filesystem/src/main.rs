// SPDX-License-Identifier: GPL-2.0-or-later
//! `ocf:rustha:Filesystem`: mounts a file system on start, unmounts it on stop (stopping the
//! processes that hold it), and checks it on monitor. Drop-in for `ocf:heartbeat:Filesystem`.
//! This file is the action flow; the mechanics are in the modules.
//!
//! - start: validate, refuse `/`, a directory with mounts below it and a foreign mount on it, one
//!   start or stop per mount point at a time (`lock`), resolve UUID/LABEL (`device`), fsck per
//!   `run_fsck` and mount (`mount`), then check that what is mounted is the resource (`identity`).
//! - monitor: depth 0 the resource is what is mounted on the directory (`identity`, from
//!   `mountinfo`); 10 and 20 the deep checks (`deep`, with the bounded I/O of `blockio`).
//! - stop: unmount submounts deepest first, then the directory; while busy, signal the processes
//!   that hold it (`unmount`, `holders`); a foreign mount is left alone. Everything within the
//!   operation's deadline.
//!
//! Modules: `description` (names, texts, actions), `params` (the parameters, declared once, and
//! what they mean together), `mountinfo` (the mount table parser), `device` (UUID/LABEL),
//! `options` (mount options → flags), `identity` (is this mount the resource?), `lock`,
//! `mount`, `deep`, `blockio`, `unmount`, `holders` (the /proc walk), `fstypes` (kernel support).

mod blockio;
mod deep;
mod description;
mod device;
mod fstypes;
mod holders;
mod identity;
mod lock;
mod mount;
mod mountinfo;
mod options;
mod params;
mod unmount;

use blockio::flush_buffers;
use description::FILESYSTEM;
use fstypes::fstype_supported;
use identity::{Presence, System};
use mountinfo::Mount;
use params::{is_network, Config, Params, Source, CLUSTER_FS, NO_DEVICE};
use rustha_ocf::{
    bail, Action, Context, Description, Error, Positional, ResourceAgent, Result, State,
};
use rustha_support::Deadline;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tracing::{info, warn};
use unmount::{unmount, warn_if_still_in_use};

fn main() -> ExitCode {
    rustha_ocf::run(&Filesystem)
}

/// The agent. Every action first turns the declared parameters into a [`Config`].
struct Filesystem;

impl ResourceAgent for Filesystem {
    type Params = Params;

    fn description(&self) -> &'static Description {
        &FILESYSTEM
    }

    /// heartbeat v1: `Filesystem DEVICE DIRECTORY [FSTYPE [OPTIONS]] ACTION`.
    fn positional(&self, args: &[String]) -> Result<Positional> {
        legacy_args(args)
    }

    fn start(&self, p: &Params, ctx: &Context) -> Result<()> {
        start(&config(p, ctx)?, ctx)
    }

    fn stop(&self, p: &Params, ctx: &Context) -> Result<()> {
        match config(p, ctx) {
            Ok(c) => stop(&c, ctx),
            Err(e) => match no_device(p, ctx) {
                Some(reason) => Err(Error::configured(reason)),
                None => {
                    warn!("{}; nothing is mounted on {}", e.reason, p.directory);
                    Ok(())
                }
            },
        }
    }

    fn monitor(&self, p: &Params, ctx: &Context) -> Result<State> {
        match config(p, ctx) {
            Ok(c) => monitor(&c, ctx),
            // Something mounted there that nothing identifies: a failure, not "stopped".
            Err(e) => match no_device(p, ctx) {
                Some(reason) => Err(Error::generic(reason)),
                None => Err(e),
            },
        }
    }

    fn validate(&self, p: &Params, ctx: &Context) -> Result<()> {
        validate(&config(p, ctx)?, ctx)
    }

    fn reload_agent(&self, p: &Params, ctx: &Context) -> Result<()> {
        reload_agent(&config(p, ctx)?, ctx)
    }
}

/// The parameters with this invocation's status file name (`INSTANCE[_CLONE]_NODE`, as stock).
fn config(p: &Params, ctx: &Context) -> Result<Config> {
    let mut name = ctx.instance.clone();
    if let Some(c) = ctx.meta.clone_number() {
        name = format!("{name}_{c}");
    }
    let node = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    Config::new(p, &format!("{name}_{}", node.trim()))
}

/// `device` is empty: if something is mounted on the directory, nothing tells whether it is
/// this resource's, so stop cannot succeed (it would leave a mount behind a "stopped"
/// resource) and monitor cannot say stopped. The reason, or `None` when nothing is mounted.
fn no_device(p: &Params, ctx: &Context) -> Option<String> {
    let table = mountinfo::read().unwrap_or_default();
    let on = mountinfo::mounted_at(&table, &p.directory)
        .or_else(|| mountinfo::mounted_at(&table, &params::canonical(&p.directory)))?;
    let reason = format!(
        "device is empty, and {} ({}) is mounted on {}: is it this resource's?",
        on.source, on.fstype, p.directory
    );
    info!("{}: {NO_DEVICE}", ctx.action.name());
    Some(reason)
}

/// heartbeat v1: `Filesystem DEVICE DIRECTORY [FSTYPE [OPTIONS]] ACTION`.
fn legacy_args(pos: &[String]) -> Result<Positional> {
    if pos.len() > 4 {
        bail!(
            ErrArgs,
            "expected at most 4 positional arguments (device directory fstype options), got {}: \"{}\"",
            pos.len(),
            rustha_support::text::shown(&pos.join(" "))
        );
    }
    Ok(["device", "directory", "fstype", "options"]
        .into_iter()
        .zip(pos.iter().cloned())
        .collect())
}

/// Everything start checks before it changes anything.
fn validate(p: &Config, ctx: &Context) -> Result<()> {
    if p.directory == "/" {
        bail!(
            ErrConfigured,
            "directory \"/\" cannot be managed (the root file system)"
        );
    }
    if ctx.meta.is_clone() {
        check_clone(p)?;
    }
    fstype_supported(&p.fstype, &ctx.deadline, false)?;
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
            p.block_device(&ctx.deadline)?;
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
fn reload_agent(p: &Config, ctx: &Context) -> Result<()> {
    validate(p, ctx)?;
    info!(
        "reload-agent: new parameters for {} accepted (force_unmount {}, term_signals {:?}, kill_signals {:?}, signal_delay {}s, fast_stop {}); they apply from the next monitor, start or stop",
        p.directory,
        if p.kill_holders { "yes" } else { "no" },
        p.term_signals,
        p.kill_signals,
        p.signal_delay.as_secs(),
        p.fast_stop
    );
    Ok(())
}

fn check_clone(p: &Config) -> Result<()> {
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

fn start(p: &Config, ctx: &Context) -> Result<()> {
    validate(p, ctx)?;
    if let Some(v) = &p.run_fsck.unknown {
        warn!("Invalid parameter value for fsck: {v:?}; setting to 'auto'");
    }
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
    let _lock = lock::lock(&ctx.state_dir(), &dir, &ctx.deadline)?;
    let table = read_mounts()?;
    match on_directory(p, &table, &dir, &ctx.deadline) {
        Presence::Absent => {}
        Presence::Ours(_) => {
            info!("Filesystem {dir} is already mounted.");
            return Ok(());
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
        Source::Block => Some(p.block_device(&ctx.deadline)?),
        _ => None,
    };
    fstype_supported(&p.fstype, &ctx.deadline, true)?;
    if let (Some(dev), true) = (&device, p.fsck_needed()) {
        mount::fsck(p, dev, &ctx.deadline)?;
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
    if let Err(e) = mount::do_mount(p, device.as_deref(), &dir, &ctx.deadline) {
        // EBUSY from a mount made meanwhile by something that does not take our lock (another
        // version of this agent): success if what is mounted now is this resource.
        let table = read_mounts()?;
        match on_directory(p, &table, &dir, &ctx.deadline) {
            Presence::Ours(m) => {
                info!("{} was mounted on {dir} meanwhile ({})", m.source, e.reason)
            }
            _ => return Err(e),
        }
    }

    let table = read_mounts()?;
    match on_directory(p, &table, &dir, &ctx.deadline) {
        Presence::Ours(m) => {
            info!("mounted {} on {dir} ({})", m.source, m.fstype);
            Ok(())
        }
        Presence::Absent => bail!(
            ErrGeneric,
            "mount of [{}] on {dir} reported success, but nothing is mounted there",
            p.device
        ),
        foreign => bail!(ErrGeneric, "{}", foreign.foreign_reason(p, &dir, &System)),
    }
}

fn read_mounts() -> Result<Vec<Mount>> {
    mountinfo::read().map_err(|e| Error::generic(format!("cannot read /proc/self/mountinfo: {e}")))
}

/// What is mounted on the directory: the configured resource, something else, or nothing.
fn on_directory(p: &Config, table: &[Mount], dir: &str, deadline: &Deadline) -> Presence {
    let id = identity::identify(p, table, deadline);
    identity::presence(&id, &p.fstype, table, dir, &System)
}

fn monitor(p: &Config, ctx: &Context) -> Result<State> {
    let table = read_mounts()?;
    let dir = p.mount_point(&table);
    let m = match on_directory(p, &table, &dir, &ctx.deadline) {
        Presence::Absent => {
            if ctx.action == Action::Status {
                info!("{} is unmounted (stopped)", p.directory);
            }
            return Ok(State::Stopped);
        }
        Presence::Ours(m) => m,
        foreign => bail!(ErrGeneric, "{}", foreign.foreign_reason(p, &dir, &System)),
    };
    let m = &m;
    if ctx.action == Action::Status {
        info!("{} is mounted (running)", p.directory);
    }
    match ctx.check_level {
        0 => {}
        10 => deep::read_first_block(p, m, &ctx.deadline)?,
        20 => deep::status_file(p, m, &ctx.deadline)?,
        // Not 6: a monitor never bans the resource (and not 7: it is mounted).
        n => bail!(
            ErrGeneric,
            "unsupported monitor level {n} (expected 0, 10 or 20)"
        ),
    }
    Ok(State::Running)
}

fn stop(p: &Config, ctx: &Context) -> Result<()> {
    let table = read_mounts()?;
    let dir = p.mount_point(&table);
    let _lock = lock::lock(&ctx.state_dir(), &dir, &ctx.deadline)?;
    let table = read_mounts()?;
    let id = identity::identify(p, &table, &ctx.deadline);
    let first = match identity::presence(&id, &p.fstype, &table, &dir, &System) {
        Presence::Absent => {
            info!("{dir} is not mounted");
            return Ok(());
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
            return Ok(());
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
                ctx.deadline.capped(Duration::from_secs(6))
            } else {
                ctx.deadline
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
        warn_if_still_in_use(&dev, (first.major, first.minor), &ctx.deadline);
    }
    Ok(())
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
        assert_eq!(
            legacy_args(&too_many).unwrap_err().code,
            rustha_ocf::Code::ErrArgs
        );
    }
}
