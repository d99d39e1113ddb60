// SPDX-License-Identifier: GPL-2.0-or-later
//! `ocf:rustha:drbd`, a drop-in for `ocf:linbit:drbd` (see src/main.rs and docs/drbd.md).
//!
//! The DRBD state comes from one `drbdsetup` call ([`system::observe`]) parsed by
//! [`drbd_status`]; the monitor code and the promotion score follow drbd.ocf's table
//! ([`drbd_status::score`]). What is told to Pacemaker is cached ([`cache`]) so that a monitor
//! sets the score only when it changes.

pub mod cache;
pub mod params;
pub mod system;

use drbd_status::score::{self, Monitor, Policy, Score};
use drbd_status::{DiskState, Resource};
use params::{Params, PeerPrimary, Version};
use rustha_ocf::notify::{Operation, When};
use rustha_ocf::{
    promotion, Action, ActionSpec, Code, Context, Description, Error, ResourceAgent, Result, State,
};
use rustha_support::Command;
use std::time::Duration;
use system::Observed;
use tracing::{debug, info, warn};

const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("start", 240),
    ActionSpec::new("promote", 90),
    ActionSpec::new("demote", 90),
    ActionSpec::new("notify", 90),
    ActionSpec::new("stop", 100),
    ActionSpec::new("monitor", 20)
        .interval(20)
        .role("Unpromoted"),
    ActionSpec::new("monitor", 20).interval(10).role("Promoted"),
    ActionSpec::new("meta-data", 5),
    ActionSpec::new("validate-all", 30),
    ActionSpec::new("reload-agent", 30),
];

pub static DESCRIPTION: Description = Description {
    name: "drbd",
    version: "1.0",
    shortdesc: "Manages a DRBD device as a promotable resource",
    longdesc: "\
Manages a DRBD resource as a promotable clone (clone-max 2 on DRBD 8.4, notify=true): start \
brings it up as Secondary, promote makes it Primary, demote Secondary again, stop takes it \
down. A drop-in for ocf:linbit:drbd: the same parameters and defaults, the same promotion \
scores (UpToDate Primary 10000; UpToDate Secondary 10000, or 1000 while the peer's state is \
unknown; only a peer UpToDate 10; Consistent, Outdated, Inconsistent or Diskless: no score).

Stale data is never promoted: promote refuses (with the reason) when the local disk is not \
UpToDate and no connected peer has UpToDate data, and never uses --force. With DRBD's \
`fencing resource-and-stonith` and the rustha-fence-peer handler, an outdated node stays \
unpromotable after the Primary died until an administrator decides otherwise (docs/drbd.md).

Beyond the stock agent: a monitor runs one drbdsetup call and sets the promotion score only \
when it changed; every wait is bounded by the operation's timeout with a progress line in the \
log; a Primary whose local disk failed is reported as OCF_FAILED_PROMOTED (9); resync progress \
is published as the transient node attributes drbd-RES-sync-percent and drbd-RES-sync-eta \
(seconds) while a resync runs (crm_mon -A shows them); notifications are understood with \
Pacemaker 2.1's promoted/unpromoted names and the legacy master/slave names.",
    actions: ACTIONS,
    see_also: &["drbdadm(8)", "drbdsetup(8)", "drbd.conf(5)"],
};

/// The agent.
pub struct Drbd;

/// How long promote waits for a Primary peer to demote before it gives up.
const PEER_PRIMARY_GRACE: Duration = Duration::from_secs(8);

fn two_primaries(ctx: &Context) -> bool {
    ["promoted_max", "master_max"]
        .iter()
        .find_map(|n| ctx.meta.get(n))
        .and_then(|v| v.trim().parse::<u32>().ok())
        == Some(2)
}

fn is_action(ctx: &Context, a: &[Action]) -> bool {
    a.contains(&ctx.action)
}

/// Checks of every action (drbd.ocf's `drbd_validate`), cheap: no process for a monitor.
fn validate_common(p: &Params, ctx: &Context, module: Option<(u32, u32, u32)>) -> Result<()> {
    for tool in ["drbdadm", "drbdsetup"] {
        if system::which(tool).is_none() {
            return Err(Error::installed(format!(
                "{tool} not found in PATH (install drbd-utils)"
            )));
        }
    }
    if let Some((a, b, c)) = module {
        let v = Version(a, b, c);
        if let Some(ge) = p.require_drbd_module_version_ge {
            if v < ge {
                return Err(Error::installed(format!(
                    "DRBD module {v} is older than require_drbd_module_version_ge {ge}"
                )));
            }
        }
        if let Some(lt) = p.require_drbd_module_version_lt {
            if v >= lt {
                return Err(Error::installed(format!(
                    "DRBD module {v} is not older than require_drbd_module_version_lt {lt}"
                )));
            }
        }
    }
    if ctx.action == Action::Stop {
        return Ok(());
    }
    let meta = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| ctx.meta.get(n))
            .and_then(|v| v.trim().parse::<u32>().ok())
    };
    let clone_max = meta(&["clone_max"]);
    let clone_node_max = meta(&["clone_node_max"]).unwrap_or(1);
    let promoted_max = meta(&["promoted_max", "master_max"]).unwrap_or(1);
    let promoted_node_max = meta(&["promoted_node_max", "master_node_max"]).unwrap_or(1);
    let v84 = module.is_some_and(|v| v.0 < 9);
    if clone_node_max != 1 {
        return Err(Error::configured(format!(
            "clone-node-max {clone_node_max}: must be 1"
        )));
    }
    if promoted_node_max != 1 {
        return Err(Error::configured(format!(
            "promoted-node-max {promoted_node_max}: must be 1"
        )));
    }
    if promoted_max > 2 {
        return Err(Error::configured(format!(
            "promoted-max {promoted_max}: at most 2"
        )));
    }
    if let Some(cm) = clone_max {
        if cm > 2 && (v84 || promoted_max == 2) {
            return Err(Error::configured(format!(
                "clone-max {cm}: at most 2 {}",
                if v84 {
                    "with DRBD 8.4"
                } else {
                    "with promoted-max 2"
                }
            )));
        }
    }
    let needs_notify = !is_action(
        ctx,
        &[
            Action::Monitor,
            Action::Status,
            Action::ValidateAll,
            Action::Stop,
        ],
    );
    let notify = ctx
        .meta
        .get("notify")
        .and_then(rustha_ocf::parse_bool)
        .unwrap_or(false)
        || ctx.meta.get("notify_start_uname").is_some();
    if needs_notify && !notify && !p.ignore_missing_notifications {
        return Err(Error::configured(
            "notify=false: the clone needs notify=true (or ignore_missing_notifications=true)",
        ));
    }
    Ok(())
}

/// The configuration checks of start, promote and validate-all (processes allowed).
fn validate_config(p: &Params, ctx: &Context) -> Result<()> {
    if std::fs::File::open(&p.drbdconf).is_err() {
        return Err(Error::installed(format!(
            "drbdconf {}: cannot read it",
            p.drbdconf
        )));
    }
    let o = system::drbdadm(p, &["sh-dev"], &ctx.deadline)?;
    if !o.success() {
        return Err(Error::configured(format!(
            "drbd_resource {}: not found in {} ({})",
            p.drbd_resource,
            p.drbdconf,
            system::said(&o)
        )));
    }
    let promoted_max = ["promoted_max", "master_max"]
        .iter()
        .find_map(|n| ctx.meta.get(n))
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(1);
    if promoted_max == 2 && is_action(ctx, &[Action::Start, Action::Promote]) {
        let o = system::drbdadm(p, &["-d", "-v", "dump"], &ctx.deadline)?;
        let dump = o.stdout.replace([';', '\t'], " ");
        let allowed = dump
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[0] == "allow-two-primaries" && matches!(w[1], "yes" | "}"))
            || dump.contains("allow-two-primaries ");
        if !allowed {
            return Err(Error::configured(format!(
                "promoted-max 2: resource {} needs allow-two-primaries in {}",
                p.drbd_resource, p.drbdconf
            )));
        }
    }
    Ok(())
}

fn module_version() -> Option<(u32, u32, u32)> {
    system::proc_drbd().and_then(|m| m.version)
}

/// `modprobe drbd` when the module is not loaded (start).
fn load_module(p: &Params, ctx: &Context) -> Result<()> {
    if system::exists(system::PROC_DRBD) {
        return Ok(());
    }
    let parms = system::drbdadm(p, &["sh-mod-parms"], &ctx.deadline)
        .map(|o| o.stdout)
        .unwrap_or_default();
    let mut cmd = Command::new("modprobe").args(["-s", "drbd"]);
    for w in parms.split_whitespace() {
        cmd = cmd.arg(w);
    }
    let o = system::tool(cmd, &ctx.deadline)?;
    if !o.success() || !system::exists(system::PROC_DRBD) {
        return Err(Error::installed(format!(
            "cannot load the DRBD module: modprobe {}",
            system::said(&o)
        )));
    }
    Ok(())
}

fn observe(p: &Params, ctx: &Context) -> Result<Option<Observed>> {
    system::observe(p, &ctx.deadline)
}

fn policy(p: &Params, ctx: &Context, r: &Resource) -> Policy {
    let remove = match p.remove_master_score_if_peer_primary {
        PeerPrimary::Keep => false,
        PeerPrimary::Remove => true,
        // Pacemaker knows a promoted peer from the notification's promoted list; outside a
        // notification, only a single promoted instance makes a Primary peer "unexpected".
        PeerPrimary::Unexpected => {
            let known = ctx
                .notification()
                .map(|n| !n.promoted.unames.is_empty())
                .unwrap_or(false);
            r.some_peer_primary() && !known
        }
    };
    Policy {
        table: p.adjust_master_score,
        remove_if_peer_primary: remove,
    }
}

/// Tell Pacemaker the score, skipping the call when the cache says it already knows (only for
/// recurring monitors; other actions always set it).
fn update_score(p: &Params, ctx: &Context, r: &Resource, force: bool) {
    let d = score::promotion(r, &policy(p, ctx, r));
    let file = cache::path(&ctx.state_dir(), &ctx.instance);
    let mut told = cache::load(&file);
    let want = match d.score {
        Score::Unchanged => {
            debug!("promotion score unchanged: {}", d.why);
            return;
        }
        Score::Set(n) => Some(n),
        Score::Remove => None,
    };
    let fresh = cache::now().saturating_sub(told.score_at) < cache::REFRESH.as_secs();
    if !force && told.score == Some(want) && fresh {
        return;
    }
    // A recurring monitor keeps half of what is left for itself: crm_attribute can be slow on a
    // loaded node, and a late score is set again by the next monitor.
    let deadline = if force {
        ctx.deadline
    } else {
        ctx.deadline.capped(ctx.deadline.remaining() / 2)
    };
    let r = tell_score(ctx, want, &deadline);
    match r {
        Ok(()) => {
            info!(
                "promotion score {}: {}",
                want.map(|n| n.to_string())
                    .unwrap_or_else(|| "removed".into()),
                d.why
            );
            told.score = Some(want);
            told.score_at = cache::now();
        }
        Err(e) => {
            warn!("{}", e.reason);
            told.score = None;
        }
    }
    cache::save(&file, &told);
}

/// `crm_attribute --promotion` (the runtime's command line) bounded by `deadline`.
fn tell_score(
    ctx: &Context,
    score: Option<i64>,
    deadline: &rustha_support::Deadline,
) -> Result<()> {
    let argv = promotion::argv(ctx, score);
    let cmd = Command::new(&argv[0]).args(&argv[1..]);
    let o = system::tool(cmd, deadline)?;
    if !o.success() {
        return Err(Error::generic(format!(
            "cannot {} the promotion score of {}: crm_attribute {}",
            if score.is_some() { "set" } else { "remove" },
            ctx.resource_name(),
            system::said(&o)
        )));
    }
    Ok(())
}

fn remove_score(ctx: &Context) {
    if let Err(e) = tell_score(ctx, None, &ctx.deadline) {
        warn!("{}", e.reason);
    }
    let file = cache::path(&ctx.state_dir(), &ctx.instance);
    let mut told = cache::load(&file);
    told.score = Some(None);
    told.score_at = cache::now();
    cache::save(&file, &told);
}

/// Resync progress as transient node attributes (attrd_updater), published while a resync
/// runs, removed when it ends; only changes are sent.
fn update_sync_attributes(p: &Params, ctx: &Context, r: &Resource) {
    let file = cache::path(&ctx.state_dir(), &ctx.instance);
    let mut told = cache::load(&file);
    // whole percents and ETA in 10 s steps: one update per visible change, not per monitor
    let now = r.sync_progress().map(|s| {
        (
            format!("{:.0}", s.percent.floor()),
            s.eta_secs
                .map(|e| (e.div_ceil(10) * 10).to_string())
                .unwrap_or_default(),
        )
    });
    if now == told.sync {
        return;
    }
    // never at the expense of the action itself
    let left = ctx.deadline.remaining();
    if left < Duration::from_secs(4) {
        return;
    }
    let d = ctx.deadline.capped(left / 4);
    let name = |what: &str| format!("drbd-{}-sync-{what}", p.drbd_resource);
    let attr = |n: String, v: Option<&str>| {
        let mut cmd = Command::new("attrd_updater").args(["-n", n.as_str()]);
        cmd = match v {
            Some(v) => cmd.args(["-U", v]),
            None => cmd.arg("-D"),
        };
        match rustha_support::run(&cmd, &d) {
            Ok(o) if o.success() => true,
            Ok(o) => {
                warn!("attrd_updater -n {n}: {}", system::said(&o));
                // deleting what is not there is done
                v.is_none()
            }
            Err(e) => {
                warn!("attrd_updater: {e}");
                false
            }
        }
    };
    let ok = match &now {
        Some((pct, eta)) => {
            let eta = if eta.is_empty() {
                "unknown"
            } else {
                eta.as_str()
            };
            info!("{} resync {pct}% done, about {eta} s left", p.drbd_resource);
            attr(name("percent"), Some(pct)) & attr(name("eta"), Some(eta))
        }
        None => attr(name("percent"), None) & attr(name("eta"), None),
    };
    if ok {
        told.sync = now;
        cache::save(&file, &told);
    }
}

/// drbd.ocf's `--peer` for 8.4: the first other node named in the notification.
fn peer_hint(ctx: &Context) -> Option<String> {
    let me = node_name();
    let n = ctx.notification()?;
    [&n.start, &n.promote, &n.promoted, &n.unpromoted, &n.demote]
        .iter()
        .flat_map(|i| i.unames.iter())
        .find(|u| **u != me)
        .cloned()
}

fn node_name() -> String {
    std::env::var("OCF_RESKEY_CRM_meta_on_node")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_default()
}

fn sleep_or_timeout(
    ctx: &Context,
    what: &str,
    started: std::time::Instant,
    last: &str,
) -> Result<()> {
    if !ctx.deadline.sleep(Duration::from_secs(1)) {
        return Err(Error::generic(format!(
            "{what}: not done within the timeout ({last})"
        )));
    }
    let s = started.elapsed().as_secs();
    if s > 0 && s.is_multiple_of(5) {
        info!("{what}: still waiting after {s} s ({last})");
    }
    Ok(())
}

fn state_of(o: &Option<Observed>) -> Monitor {
    o.as_ref()
        .map(|o| score::monitor(&o.resource))
        .unwrap_or(Monitor::NotRunning)
}

fn connect(p: &Params, ctx: &Context, v9: bool) {
    let mut args = vec!["-v", "adjust"];
    let hint = if v9 { None } else { peer_hint(ctx) };
    let peer_arg;
    if let Some(h) = &hint {
        peer_arg = format!("--peer={h}");
        args.insert(0, peer_arg.as_str());
    }
    match system::drbdadm(p, &args, &ctx.deadline) {
        Ok(o) if !o.success() => warn!("drbdadm adjust {}: {}", p.drbd_resource, system::said(&o)),
        Err(e) => warn!("{}", e.reason),
        _ => {}
    }
}

fn wait_connect(p: &Params, ctx: &Context, r: &Resource) {
    let Some(t) = p.wfc_timeout.filter(|t| *t > 0) else {
        return;
    };
    let d = ctx.deadline.capped(Duration::from_secs(u64::from(t) + 2));
    let t = t.to_string();
    for v in &r.volumes {
        let Some(minor) = v.minor else { continue };
        let dev = minor.to_string();
        let cmd = Command::new("drbdsetup").args([
            "wait-connect",
            dev.as_str(),
            &format!("--wfc-timeout={t}"),
            &format!("--degr-wfc-timeout={t}"),
            &format!("--outdated-wfc-timeout={t}"),
        ]);
        match rustha_support::run(&cmd, &d) {
            Ok(o) if o.success() => {}
            Ok(o) => info!(
                "no connection to the peer of {} within {t} s ({})",
                p.drbd_resource,
                system::said(&o)
            ),
            Err(e) => info!("{e}"),
        }
    }
}

impl ResourceAgent for Drbd {
    type Params = Params;

    fn description(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn validate(&self, p: &Params, ctx: &Context) -> Result<()> {
        validate_common(p, ctx, module_version())?;
        validate_config(p, ctx)
    }

    fn start(&self, p: &Params, ctx: &Context) -> Result<()> {
        validate_common(p, ctx, module_version())?;
        validate_config(p, ctx)?;
        load_module(p, ctx)?;
        validate_common(p, ctx, module_version())?;
        let started = std::time::Instant::now();
        let mut first = true;
        loop {
            let o = observe(p, ctx)?;
            let v9 = o.as_ref().is_some_and(|o| o.v9);
            match state_of(&o) {
                Monitor::NotRunning => {
                    if !first {
                        sleep_or_timeout(ctx, "start", started, "resource not up yet")?;
                    }
                    first = false;
                    let args: &[&str] = if p.connect_only_after_promote {
                        if v9 {
                            &["adjust", "--skip-net"]
                        } else {
                            &["attach"]
                        }
                    } else {
                        &["adjust"]
                    };
                    if p.connect_only_after_promote && !v9 {
                        // 8.4: attach needs the resource and its minors first.
                        let _ = system::drbdadm(p, &["new-resource"], &ctx.deadline);
                        let _ = system::drbdadm(p, &["new-minor"], &ctx.deadline);
                    }
                    let r = system::drbdadm(p, args, &ctx.deadline)?;
                    if !r.success() {
                        warn!(
                            "drbdadm {} {}: {}",
                            args.join(" "),
                            p.drbd_resource,
                            system::said(&r)
                        );
                    }
                }
                Monitor::Promoted | Monitor::FailedPromoted => {
                    warn!("{} is already Primary: demoting it", p.drbd_resource);
                    let r = system::drbdadm(p, &["secondary"], &ctx.deadline)?;
                    if !r.success() {
                        sleep_or_timeout(ctx, "start", started, &system::said(&r))?;
                    }
                }
                Monitor::Running => {
                    let Some(obs) = o else { continue };
                    if !p.connect_only_after_promote {
                        wait_connect(p, ctx, &obs.resource);
                    }
                    let now = observe(p, ctx)?.unwrap_or(obs);
                    info!("started: {}", now.resource.summary());
                    update_score(p, ctx, &now.resource, true);
                    update_sync_attributes(p, ctx, &now.resource);
                    return Ok(());
                }
            }
        }
    }

    fn stop(&self, p: &Params, ctx: &Context) -> Result<()> {
        validate_common(p, ctx, module_version())?;
        let started = std::time::Instant::now();
        let mut last = String::new();
        loop {
            let o = observe(p, ctx)?;
            match state_of(&o) {
                Monitor::NotRunning => {
                    if let Some(obs) = &o {
                        // also removes a half-configured resource (no volume attached)
                        if !obs.resource.volumes.is_empty()
                            || obs.resource.role != drbd_status::Role::Unknown
                        {
                            let _ = system::drbdadm(p, &["down"], &ctx.deadline);
                        }
                    }
                    break;
                }
                Monitor::Promoted | Monitor::FailedPromoted => {
                    warn!(
                        "stopping {} while Primary: demoting it first",
                        p.drbd_resource
                    );
                    let r = system::drbdadm(p, &["secondary"], &ctx.deadline)?;
                    if !r.success() {
                        let held = o
                            .as_ref()
                            .map(|o| system::holders(&o.resource))
                            .unwrap_or_default();
                        last = if held.is_empty() {
                            system::said(&r)
                        } else {
                            format!("{held}: {}", system::said(&r))
                        };
                        sleep_or_timeout(ctx, "stop", started, &last)?;
                    }
                }
                Monitor::Running => {
                    let r = system::drbdadm(p, &["down"], &ctx.deadline)?;
                    if !r.success() {
                        let held = o
                            .as_ref()
                            .map(|o| system::holders(&o.resource))
                            .unwrap_or_default();
                        last = if held.is_empty() {
                            system::said(&r)
                        } else {
                            format!("{held}: {}", system::said(&r))
                        };
                        sleep_or_timeout(ctx, "stop", started, &last)?;
                    }
                }
            }
        }
        if !last.is_empty() {
            debug!("stop needed retries: {last}");
        }
        if p.stop_outdates_secondary {
            maybe_outdate_self(p, ctx);
        }
        remove_score(ctx);
        update_sync_attributes(p, ctx, &Resource::default());
        Ok(())
    }

    fn monitor(&self, p: &Params, ctx: &Context) -> Result<State> {
        let o = observe(p, ctx)?;
        validate_common(p, ctx, o.as_ref().and_then(|o| o.module.version))?;
        let Some(obs) = o else {
            return Ok(State::Stopped);
        };
        let m = score::monitor(&obs.resource);
        if m == Monitor::NotRunning {
            let file = cache::path(&ctx.state_dir(), &ctx.instance);
            if cache::load(&file).score != Some(None) && !ctx.is_probe() {
                remove_score(ctx);
            }
            return Ok(State::Stopped);
        }
        update_score(p, ctx, &obs.resource, ctx.is_probe());
        update_sync_attributes(p, ctx, &obs.resource);
        if p.unfence_if_all_uptodate
            && obs.v9
            && obs.resource.is_primary()
            && obs.resource.disk_all_up_to_date()
            && obs.resource.peers_all_up_to_date()
        {
            let _ = system::drbdadm(
                p,
                &["unfence-peer"],
                &ctx.deadline.capped(Duration::from_secs(10)),
            );
        }
        Ok(match m {
            Monitor::NotRunning => State::Stopped,
            Monitor::Running => State::Running,
            Monitor::Promoted => State::Promoted,
            Monitor::FailedPromoted => {
                let failed: Vec<String> = obs
                    .resource
                    .failed_local_disks()
                    .iter()
                    .map(|v| format!("volume {} {}", v.volume, v.disk))
                    .collect();
                warn!(
                    "{} is Primary on a failed local disk ({}): I/O goes to the peer",
                    p.drbd_resource,
                    failed.join(", ")
                );
                State::FailedPromoted
            }
        })
    }

    fn promote(&self, p: &Params, ctx: &Context) -> Result<()> {
        validate_common(p, ctx, module_version())?;
        validate_config(p, ctx)?;
        let started = std::time::Instant::now();
        let mut tries = 0u32;
        let mut peer_primary_since: Option<std::time::Instant> = None;
        loop {
            let Some(obs) = observe(p, ctx)? else {
                return Err(Error::generic(format!(
                    "cannot promote {}: not started (DRBD module not loaded)",
                    p.drbd_resource
                )));
            };
            let r = &obs.resource;
            match score::monitor(r) {
                Monitor::NotRunning => {
                    return Err(Error::generic(format!(
                        "cannot promote {}: not started",
                        p.drbd_resource
                    )));
                }
                Monitor::Promoted | Monitor::FailedPromoted => {
                    if p.connect_only_after_promote {
                        connect(p, ctx, obs.v9);
                    }
                    info!("promoted: {}", r.summary());
                    update_score(p, ctx, r, true);
                    return Ok(());
                }
                Monitor::Running => {}
            }
            // Never promote stale data: only with UpToDate data here or on a connected peer.
            let local_ok = r.disk_all_up_to_date()
                || r.volumes
                    .iter()
                    .all(|v| v.disk == DiskState::Consistent || v.disk == DiskState::UpToDate);
            let peer_ok = r
                .peers
                .iter()
                .any(|pe| pe.is_connected() && pe.all_up_to_date());
            if !local_ok && !peer_ok {
                remove_score(ctx);
                let disk = r
                    .volumes
                    .iter()
                    .map(|v| v.disk.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                return Err(Error::generic(format!(
                    "refusing to promote {}: local disk {disk} and no peer with UpToDate data",
                    p.drbd_resource
                )));
            }
            // Single-primary DRBD: a peer that stays Primary makes promotion impossible; a peer
            // that is just demoting is given PEER_PRIMARY_GRACE, not the whole timeout.
            if r.some_peer_primary() {
                let since = *peer_primary_since.get_or_insert_with(std::time::Instant::now);
                if tries > 0 && since.elapsed() >= PEER_PRIMARY_GRACE && !two_primaries(ctx) {
                    remove_score(ctx);
                    return Err(Error::generic(format!(
                        "cannot promote {}: the peer is Primary (single-primary resource)",
                        p.drbd_resource
                    )));
                }
            } else {
                peer_primary_since = None;
            }
            if tries > 0 && r.some_peer_primary() && p.fail_promote_early_if_peer_primary {
                remove_score(ctx);
                return Err(Error::generic(format!(
                    "cannot promote {}: peer node already/still Primary",
                    p.drbd_resource
                )));
            }
            tries += 1;
            let o = system::drbdadm(p, &["primary"], &ctx.deadline)?;
            if o.success() {
                continue;
            }
            if o.code() == 17 {
                remove_score(ctx);
                return Err(Error::generic(format!(
                    "refusing to promote {}: no access to UpToDate data ({})",
                    p.drbd_resource,
                    r.summary()
                )));
            }
            let why = system::said(&o);
            warn!("drbdadm primary {}: {why}", p.drbd_resource);
            sleep_or_timeout(ctx, "promote", started, &why)?;
        }
    }

    fn demote(&self, p: &Params, ctx: &Context) -> Result<()> {
        validate_common(p, ctx, module_version())?;
        let started = std::time::Instant::now();
        loop {
            let o = observe(p, ctx)?;
            match state_of(&o) {
                Monitor::NotRunning => {
                    return Err(Error::new(
                        Code::NotRunning,
                        format!("cannot demote {}: not started", p.drbd_resource),
                    ));
                }
                Monitor::Running => {
                    if let Some(obs) = &o {
                        update_score(p, ctx, &obs.resource, true);
                    }
                    return Ok(());
                }
                Monitor::Promoted | Monitor::FailedPromoted => {
                    let r = system::drbdadm(p, &["secondary"], &ctx.deadline)?;
                    if !r.success() {
                        let held = o
                            .as_ref()
                            .map(|o| system::holders(&o.resource))
                            .unwrap_or_default();
                        let last = if held.is_empty() {
                            system::said(&r)
                        } else {
                            format!("{held}: {}", system::said(&r))
                        };
                        sleep_or_timeout(ctx, "demote", started, &last)?;
                    }
                }
            }
        }
    }

    fn notify(&self, p: &Params, ctx: &Context) -> Result<()> {
        let Some(n) = ctx.notification() else {
            debug!("notify without notification variables: nothing to do");
            return Ok(());
        };
        let o = match observe(p, ctx) {
            Ok(o) => o,
            Err(e) => {
                warn!("notify: {}", e.reason);
                return Ok(());
            }
        };
        match (n.when, &n.operation) {
            (_, Operation::Start)
                if !p.connect_only_after_promote && state_of(&o) != Monitor::NotRunning =>
            {
                connect(p, ctx, o.as_ref().is_some_and(|o| o.v9));
            }
            (When::Post, Operation::Stop | Operation::Promote | Operation::Demote) => {
                let Some(obs) = o else { return Ok(()) };
                if score::monitor(&obs.resource) == Monitor::NotRunning {
                    return Ok(());
                }
                update_score(p, ctx, &obs.resource, true);
                if obs.resource.peer_disk_any_unknown() && p.stop_outdates_secondary {
                    maybe_outdate_self(p, ctx);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn reload_agent(&self, p: &Params, ctx: &Context) -> Result<()> {
        self.validate(p, ctx)?;
        if let Some(obs) = observe(p, ctx)? {
            if score::monitor(&obs.resource) != Monitor::NotRunning {
                let o = system::drbdadm(p, &["adjust"], &ctx.deadline)?;
                if !o.success() {
                    return Err(Error::generic(format!(
                        "drbdadm adjust {}: {}",
                        p.drbd_resource,
                        system::said(&o)
                    )));
                }
                update_score(p, ctx, &obs.resource, true);
            }
        }
        Ok(())
    }
}

/// stop_outdates_secondary: another node is promoted and not being stopped, and this node is
/// Secondary: mark the local data Outdated so it cannot be promoted if that Primary dies.
fn maybe_outdate_self(p: &Params, ctx: &Context) {
    let Some(n) = ctx.notification() else { return };
    let me = node_name();
    let other_primary = n
        .promoted
        .unames
        .iter()
        .any(|u| *u != me && !n.stop.unames.contains(u));
    if !other_primary {
        return;
    }
    if let Ok(Some(obs)) = observe(p, ctx) {
        if obs.resource.is_primary() {
            tracing::error!(
                "{}: this node and {} are both Primary: resource internal SPLIT BRAIN",
                p.drbd_resource,
                n.promoted.unames.join(",")
            );
            return;
        }
    }
    match system::drbdadm(p, &["outdate"], &ctx.deadline) {
        Ok(o) if o.success() => info!(
            "outdated the local data of {}: another node is Primary",
            p.drbd_resource
        ),
        Ok(o) => warn!("drbdadm outdate {}: {}", p.drbd_resource, system::said(&o)),
        Err(e) => warn!("{}", e.reason),
    }
    if let Err(e) = promotion::set_score(ctx, -1_000_000) {
        warn!("{}", e.reason);
    }
}
