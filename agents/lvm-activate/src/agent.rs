// SPDX-License-Identifier: GPL-2.0-or-later
//! The actions of both agents on the typed [`Config`]: the OCF runtime's glue (in the binaries)
//! only builds the Config and the [`Ctx`] and maps the results to exit codes.
//!
//! Monitor runs no LVM command: device-mapper state comes from sysfs, ownership (system ID, tag)
//! and the list of LVs that should be active from the VG metadata read off a PV in use with
//! O_DIRECT. Start and stop run LVM directly, bounded by the deadline, and verify the result
//! through sysfs: neither reports a success that did not happen.

use crate::config::{AccessMode, Config, Flavour};
use crate::dm::{self, DmDevice};
use crate::lvm::{self, Lvm, LvmError};
use crate::recheck::{self, Checked};
use crate::report::{self, Row};
use crate::{filter, sys};
use rustha_ocf::{Code, Error};
use rustha_support::Deadline;
use std::path::PathBuf;
use std::time::Duration;

pub type Result<T> = std::result::Result<T, Error>;

/// What the runtime tells an action.
pub struct Ctx<'a> {
    pub deadline: &'a Deadline,
    /// A monitor with no interval or interval 0.
    pub probe: bool,
    pub check_level: u32,
    /// Where the agent keeps what start learnt (our system ID): in the OCF state directory.
    pub state_file: PathBuf,
    /// The last ownership check ([`recheck`]), next to the state file.
    pub check_file: PathBuf,
    /// The monitor's interval (zero for a probe and for the other actions).
    pub interval: Duration,
    /// The resource is a clone (legacy plain mode adds `--monitor y`).
    pub clone: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Stopped,
    Running,
}

fn err(code: Code, reason: impl Into<String>) -> Error {
    Error::new(code, reason.into())
}

fn generic(e: LvmError) -> Error {
    err(Code::ErrGeneric, e.0)
}

// ---- monitor ----------------------------------------------------------------------------------

/// The state from sysfs and the on-disk metadata; never an LVM command.
pub fn monitor(cfg: &Config, ctx: &Ctx) -> Result<State> {
    let devs = sys::dm_devices().map_err(|e| err(Code::ErrGeneric, e))?;
    let vgd = dm::vg_devices(&devs, &cfg.vg);
    let what = cfg.target();
    if !vgd.is_active(cfg.lv.as_deref()) {
        // Stock LVM-activate: a recurring monitor of a VG that should be active fails (so
        // on-fail=fence works). "Should be": we started it and did not stop it since (the state
        // file, on tmpfs, lives from start to stop). A probe, or a recurring monitor after a stop,
        // finds it stopped (7), as ocf-tester and Pacemaker expect. Legacy LVM always says 7.
        if cfg.flavour == Flavour::LvmActivate && !ctx.probe && ctx.state_file.exists() {
            return Err(err(Code::ErrGeneric, format!("{what} is not active")));
        }
        return Ok(State::Stopped);
    }
    if let Some(p) = vgd.problems(cfg.lv.as_deref()).first() {
        return Err(err(Code::ErrGeneric, p.to_string()));
    }
    check_metadata(cfg, ctx, &vgd)?;
    if ctx.check_level >= 10 {
        for d in top_devices(&vgd, cfg.lv.as_deref()) {
            sys::read_first_block(d, ctx.deadline).map_err(|e| {
                err(
                    Code::ErrGeneric,
                    format!("{what}: {} unreadable: {e}", d.name),
                )
            })?;
        }
    }
    Ok(State::Running)
}

/// The LVs' own devices (not LVM's hidden layers).
fn top_devices<'a>(vgd: &dm::VgDevices<'a>, lv: Option<&str>) -> Vec<&'a DmDevice> {
    vgd.devices
        .iter()
        .filter(|(_, n)| n.layer.is_none() && lv.is_none_or(|l| n.lv == l))
        .map(|(d, _)| *d)
        .collect()
}

/// Ownership and completeness from the metadata on a PV in use; a recurring monitor trusts a
/// check younger than [`recheck::period`] instead of reading the PV again.
fn check_metadata(cfg: &Config, ctx: &Ctx, vgd: &dm::VgDevices) -> Result<()> {
    let pvs = vgd.physical_devices(None);
    let key = check_key(cfg);
    // Probes, depth 10 and start (a probe) always read the metadata.
    let period = recheck::trust_period(ctx.probe, ctx.check_level, ctx.interval);
    if !period.is_zero() {
        if let Some(lvs) = trusted_check(ctx, &key, &pvs, period) {
            return check_complete(cfg, vgd, lvs.iter().map(String::as_str).collect());
        }
    }
    match read_metadata(cfg, ctx, vgd, &pvs) {
        Ok(Some(meta)) => {
            let checked = sys::boot_id()
                .zip(sys::boottime())
                .map(|(boot_id, at)| Checked {
                    boot_id,
                    at,
                    key,
                    pvs,
                    lvs: meta
                        .activatable_lvs()
                        .into_iter()
                        .map(String::from)
                        .collect(),
                    seen: format!(
                        "system ID \"{}\", tags \"{}\"",
                        meta.system_id,
                        meta.tags.join(",")
                    ),
                });
            match checked {
                Some(c) => sys::write_checked(&ctx.check_file, &c),
                None => sys::forget_checked(&ctx.check_file),
            }
            Ok(())
        }
        Ok(None) => {
            sys::forget_checked(&ctx.check_file);
            Ok(())
        }
        Err(e) => {
            sys::forget_checked(&ctx.check_file);
            Err(e)
        }
    }
}

/// What a record of the ownership check is valid for.
fn check_key(cfg: &Config) -> String {
    Checked::key(&[
        match cfg.flavour {
            Flavour::LvmActivate => "LVM-activate",
            Flavour::Legacy => "LVM",
        },
        &cfg.vg,
        cfg.lv.as_deref().unwrap_or(""),
        &cfg.mode_text,
        &cfg.tag,
    ])
}

/// The LVs to be active as the last ownership check saw them, when that check stands in for
/// one now; `None`: read the metadata.
fn trusted_check(ctx: &Ctx, key: &str, pvs: &[String], period: Duration) -> Option<Vec<String>> {
    let checked = sys::read_checked(&ctx.check_file)?;
    let boot_id = sys::boot_id()?;
    let now = recheck::Now {
        boot_id: &boot_id,
        boottime: sys::boottime()?,
    };
    match checked.covers(&now, key, pvs, period) {
        Ok(age) => {
            tracing::debug!(
                "ownership checked {} ms ago ({}), within {} s: metadata not read",
                age.as_millis(),
                checked.seen,
                period.as_secs_f32()
            );
            Some(checked.lvs)
        }
        Err(why) => {
            tracing::debug!("last ownership check {why}: reading the metadata");
            None
        }
    }
}

/// Ownership and completeness from the metadata read off a PV now; `Ok(None)` when no PV in use
/// holds metadata (nothing to check).
fn read_metadata(
    cfg: &Config,
    ctx: &Ctx,
    vgd: &dm::VgDevices,
    pvs: &[String],
) -> Result<Option<crate::pvmeta::VgMeta>> {
    let meta = match sys::vg_meta(pvs, ctx.deadline) {
        Ok(Some(m)) => m,
        Ok(None) => {
            tracing::debug!("no PV in use holds metadata; ownership not checked");
            return Ok(None);
        }
        Err(e) => {
            return Err(err(
                Code::ErrGeneric,
                format!("{}: cannot read its LVM metadata: {e}", cfg.vg),
            ))
        }
    };
    if meta.name != cfg.vg {
        return Err(err(
            Code::ErrGeneric,
            format!("VG {} is gone: its PVs now hold VG {}", cfg.vg, meta.name),
        ));
    }
    let state = sys::read_state(&ctx.state_file);
    let recorded = |k: &str| state.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mode = effective_mode(cfg, recorded("mode").as_deref());
    match mode {
        Some(AccessMode::SystemId) => {
            let ours = match recorded("system_id") {
                Some(id) => id,
                None => {
                    // Not recorded (agent upgraded while active): ask LVM once, then remember.
                    let d = ctx.deadline.capped(Duration::from_secs(10));
                    let id = Lvm { deadline: &d }.system_id().map_err(generic)?;
                    sys::write_state(
                        &ctx.state_file,
                        &[("mode", "system_id"), ("system_id", &id)],
                    );
                    id
                }
            };
            if meta.system_id != ours {
                return Err(err(
                    Code::ErrGeneric,
                    format!(
                        "VG {} has system ID \"{}\", not ours (\"{ours}\"): taken over by another node?",
                        cfg.vg, meta.system_id
                    ),
                ));
            }
        }
        Some(AccessMode::Tagging) if !meta.tags.contains(&cfg.tag) => {
            return Err(err(
                Code::ErrGeneric,
                format!(
                    "VG {} no longer carries our tag \"{}\" (tags: {}): taken over by another node?",
                    cfg.vg,
                    cfg.tag,
                    if meta.tags.is_empty() { "none".into() } else { meta.tags.join(",") }
                ),
            ));
        }
        _ => {}
    }
    check_complete(cfg, vgd, meta.activatable_lvs())?;
    Ok(Some(meta))
}

/// With no lvname (and no partial or degraded activation): every LV the metadata wants active
/// is active.
fn check_complete(cfg: &Config, vgd: &dm::VgDevices, want: Vec<&str>) -> Result<()> {
    if cfg.lv.is_none() && !cfg.partial && !cfg.degraded {
        let active = vgd.active_lvs();
        let missing: Vec<&str> = want
            .iter()
            .copied()
            .filter(|l| !active.contains(*l))
            .collect();
        if !missing.is_empty() {
            return Err(err(
                Code::ErrGeneric,
                format!(
                    "VG {} incompletely active: LV {} not active ({} of {} active)",
                    cfg.vg,
                    missing.join(", "),
                    want.len() - missing.len(),
                    want.len()
                ),
            ));
        }
    }
    Ok(())
}

/// The mode that decides ownership: configured, or for the legacy agent what start recorded.
fn effective_mode(cfg: &Config, recorded: Option<&str>) -> Option<AccessMode> {
    match cfg.flavour {
        Flavour::LvmActivate => cfg.mode,
        Flavour::Legacy => match recorded {
            Some("clvmd") => Some(AccessMode::Clvmd),
            Some("tagging") => Some(AccessMode::Tagging),
            _ => cfg.mode,
        },
    }
}

// ---- validate ---------------------------------------------------------------------------------

/// What validation learnt about the VG, for start.
#[derive(Debug, Clone)]
pub struct VgInfo {
    /// The VG's report fields.
    pub row: Row,
    /// Its LVs (visible ones).
    pub lvs: Vec<String>,
    /// The mode to act in (legacy: decided from the VG's clustered bit).
    pub mode: Option<AccessMode>,
    /// This node's system ID (system_id mode).
    pub system_id: String,
}

impl VgInfo {
    fn field(&self, k: &str) -> &str {
        self.row.get(k).map(String::as_str).unwrap_or("")
    }
}

const VG_FIELDS: &str =
    "vg_name,vg_clustered,vg_lock_type,vg_systemid,vg_tags,vg_missing_pv_count,lv_count,vg_attr";

/// The VG's fields and LVs in one LVM command (LVM is slow to start: every call counts).
fn query_vg(lvm: &Lvm, vg: &str) -> std::result::Result<(Row, Vec<String>), LvmError> {
    let lvs_args = |fields: &str| {
        vec![
            "lvs".to_string(),
            "--foreign".into(),
            "--nolocking".into(),
            "-o".into(),
            format!("lv_name,{fields}"),
            vg.to_string(),
        ]
    };
    // vg_autoactivation exists since LVM 2.03.12 (as --setautoactivation): ask, else without.
    let with_auto = format!("{VG_FIELDS},vg_autoactivation");
    let mut rows = None;
    for fields in [with_auto.as_str(), VG_FIELDS] {
        let a = lvs_args(fields);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        match lvm.report(&a, "lv") {
            Ok(r) => {
                rows = Some(r);
                break;
            }
            Err(e) if e.0.contains("nrecognised field") || e.0.contains("nknown field") => continue,
            Err(e) => return Err(e),
        }
    }
    let rows = rows.unwrap_or_default();
    let lvs: Vec<String> = rows
        .iter()
        .filter_map(|r| r.get("lv_name").cloned())
        .collect();
    let row = match rows.into_iter().next() {
        Some(r) => r,
        // No LVs: the VG's own fields from vgs.
        None => lvm
            .report(
                &["vgs", "--foreign", "--nolocking", "-o", VG_FIELDS, vg],
                "vg",
            )?
            .into_iter()
            .find(|r| r.get("vg_name").map(String::as_str) == Some(vg))
            .ok_or_else(|| LvmError(format!("vgs printed nothing for {vg}")))?,
    };
    Ok((row, lvs))
}

/// Everything start checks before it changes anything (also validate-all).
pub fn validate(cfg: &Config, ctx: &Ctx) -> Result<VgInfo> {
    if !sys::have_program(lvm::LVM) {
        return Err(err(Code::ErrInstalled, "lvm not found (install lvm2)"));
    }
    if cfg.flavour == Flavour::LvmActivate && cfg.mode.is_none() {
        return Err(err(
            Code::ErrConfigured,
            format!(
                "invalid vg_access_mode \"{}\": expected system_id, tagging, lvmlockd or clvmd",
                cfg.mode_text
            ),
        ));
    }
    if cfg.mode == Some(AccessMode::Clvmd) && !sys::have_program("clvmd") {
        return Err(err(
            Code::ErrInstalled,
            "vg_access_mode=clvmd but clvmd is not installed (LVM 2.03 has none): use lvmlockd",
        ));
    }
    if cfg.flavour == Flavour::Legacy && cfg.mode != Some(AccessMode::Plain) && ctx.clone {
        return Err(err(
            Code::ErrConfigured,
            "exclusive=true cannot be used in a clone (the VG would be active on several nodes)",
        ));
    }
    let lvm = Lvm {
        deadline: ctx.deadline,
    };
    let (row, lvs) = query_vg(&lvm, &cfg.vg).map_err(|e| {
        err(
            Code::ErrGeneric,
            format!(
                "VG {} doesn't exist or is not visible on this node ({e})",
                cfg.vg
            ),
        )
    })?;
    let mut info = VgInfo {
        row,
        lvs,
        mode: cfg.mode,
        system_id: String::new(),
    };
    let missing: u64 = info.field("vg_missing_pv_count").parse().unwrap_or(0);
    let partial_attr = info.field("vg_attr").as_bytes().get(3) == Some(&b'p');
    if missing > 0 || partial_attr {
        if cfg.partial || cfg.majority_pvs || cfg.degraded {
            tracing::warn!(
                "VG {} is missing {missing} PV(s); activating anyway as configured",
                cfg.vg
            );
        } else {
            return Err(err(
                Code::ErrGeneric,
                format!(
                    "VG {} is missing {missing} PV(s); set partial_activation or majority_pvs to activate it anyway",
                    cfg.vg
                ),
            ));
        }
    }
    let detected = if info.field("vg_lock_type") == "dlm" {
        Some(AccessMode::Lvmlockd)
    } else if !info.field("vg_clustered").is_empty() {
        Some(AccessMode::Clvmd)
    } else if !info.field("vg_systemid").is_empty() {
        Some(AccessMode::SystemId)
    } else if !info.field("vg_tags").is_empty() {
        Some(AccessMode::Tagging)
    } else {
        None
    };
    match cfg.flavour {
        Flavour::LvmActivate => {
            if cfg.mode != Some(AccessMode::Tagging) && detected != cfg.mode {
                return Err(err(
                    Code::ErrConfigured,
                    format!(
                        "vg_access_mode={} doesn't match VG {} ({})",
                        cfg.mode_text,
                        cfg.vg,
                        match detected {
                            Some(m) => format!("set up for {}", m.name()),
                            None => "no system ID, lock type or tag".into(),
                        }
                    ),
                ));
            }
        }
        Flavour::Legacy => {
            if cfg.mode != Some(AccessMode::Plain) {
                let clustered = info.field("vg_attr").as_bytes().get(5) == Some(&b'c');
                info.mode = Some(if clustered {
                    AccessMode::Clvmd
                } else {
                    AccessMode::Tagging
                });
                if clustered && !sys::have_program("clvmd") {
                    return Err(err(
                        Code::ErrInstalled,
                        format!("VG {} is clustered but clvmd is not installed", cfg.vg),
                    ));
                }
            }
        }
    }
    if info.field("lv_count").parse::<u64>().unwrap_or(0) < 1 {
        return Err(err(
            Code::ErrConfigured,
            format!("VG {} has no LVs", cfg.vg),
        ));
    }
    if let Some(lv) = &cfg.lv {
        if !info.lvs.contains(lv) {
            return Err(err(
                Code::ErrConfigured,
                format!("LV {}/{lv} does not exist", cfg.vg),
            ));
        }
    }
    let conf = lvm.config_diff().map_err(generic)?;
    let bad_config = if cfg.flavour == Flavour::Legacy {
        Code::ErrGeneric
    } else {
        Code::ErrArgs
    };
    match info.mode {
        Some(AccessMode::Lvmlockd) => {
            if conf.text("global/use_lvmlockd").as_deref() != Some("1") {
                return Err(err(
                    Code::ErrArgs,
                    "vg_access_mode=lvmlockd needs use_lvmlockd=1 in lvm.conf",
                ));
            }
            if !sys::process_running("lvmlockd") {
                return Err(err(Code::ErrGeneric, "lvmlockd is not running"));
            }
            if sys::process_running("clvmd") {
                return Err(err(
                    Code::ErrGeneric,
                    "clvmd is running: lvmlockd and clvmd exclude each other",
                ));
            }
        }
        Some(AccessMode::Clvmd) => {
            if !sys::process_running("clvmd") {
                return Err(err(Code::ErrGeneric, "clvmd is not running"));
            }
        }
        Some(AccessMode::SystemId) => {
            let source = conf.text("global/system_id_source").unwrap_or_default();
            if source.is_empty() || source == "none" {
                return Err(err(
                    Code::ErrArgs,
                    "vg_access_mode=system_id needs global/system_id_source in lvm.conf (e.g. uname)",
                ));
            }
            info.system_id = match our_system_id(&source, &conf) {
                Some(id) => id,
                None => lvm.system_id().map_err(generic)?,
            };
            if info.system_id.is_empty() {
                return Err(err(
                    Code::ErrArgs,
                    "this node has no LVM system ID (lvm systemid is empty)",
                ));
            }
            if conf.is_set("activation/volume_list") {
                return Err(err(
                    Code::ErrArgs,
                    "lvm.conf sets both system_id_source and activation/volume_list: volume_list would filter the activation",
                ));
            }
        }
        Some(AccessMode::Tagging) => {
            if !conf.is_set("activation/volume_list") {
                return Err(err(
                    bad_config,
                    "tagging needs activation/volume_list in lvm.conf (without @TAG and this VG)",
                ));
            }
            let tag = format!("@{}", cfg.tag);
            if let Some(bad) = conf
                .strings("activation/volume_list")
                .into_iter()
                .find(|v| *v == tag || *v == cfg.vg)
            {
                return Err(err(
                    bad_config,
                    format!(
                        "lvm.conf volume_list lists \"{bad}\": the VG would be activated at boot"
                    ),
                ));
            }
        }
        Some(AccessMode::Plain) | None => {}
    }
    warn_drbd_filter(&conf);
    Ok(info)
}

/// This node's system ID without running LVM, for the sources whose value we can see (LVM is
/// slow to start; start runs as few commands as it can): `uname` (the node name, as LVM
/// filters it) and `lvmlocal` (`local/system_id`). `None`: ask `lvm systemid`.
fn our_system_id(source: &str, conf: &lvm::ConfigTree) -> Option<String> {
    let raw = match source {
        "uname" => nix_nodename()?,
        "lvmlocal" => conf.text("local/system_id")?,
        _ => return None,
    };
    let id = lvm::clean_system_id(&raw);
    // LVM refuses "localhost" names as system IDs; let it say what it makes of that.
    (!id.is_empty() && !id.starts_with("localhost")).then_some(id)
}

fn nix_nodename() -> Option<String> {
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: uname fills the struct; nodename is NUL-terminated.
    if unsafe { libc::uname(&mut u) } != 0 {
        return None;
    }
    let bytes: Vec<u8> = u
        .nodename
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8(bytes).ok()
}

/// linuxha.net's rule: LVM under DRBD must not scan the DRBD device, or it sees duplicate PVs.
fn warn_drbd_filter(conf: &lvm::ConfigTree) {
    let drbd = sys::drbd_devices();
    if drbd.is_empty() {
        return;
    }
    let load = |path: &str| -> Vec<filter::Entry> {
        filter::parse(&conf.strings(path)).unwrap_or_else(|e| {
            tracing::warn!("lvm.conf {path}: {e}");
            Vec::new()
        })
    };
    let (global, local) = (load("devices/global_filter"), load("devices/filter"));
    for (node, names) in drbd {
        if !filter::excluded(&global, &local, &names) {
            let msg = format!(
                "lvm.conf does not exclude {node}: LVM on the DRBD backing device would see duplicate PVs; add \"r|^/dev/drbd|\" to devices/global_filter"
            );
            tracing::warn!("{msg}");
            eprintln!("WARNING: {msg}");
        }
    }
}

// ---- start ------------------------------------------------------------------------------------

pub fn start(cfg: &Config, ctx: &Ctx) -> Result<()> {
    let info = validate(cfg, ctx)?;
    let lvm = Lvm {
        deadline: ctx.deadline,
    };
    let mode = info.mode;
    let target = cfg.target();
    let opts = cfg.activation_options();
    let mut args: Vec<String> = Vec::new();
    match (cfg.flavour, mode) {
        (Flavour::LvmActivate, Some(AccessMode::SystemId)) => {
            take_over_system_id(cfg, &lvm, &info)?;
            args.extend(["lvchange".into(), "-ay".into()]);
        }
        (Flavour::LvmActivate, Some(AccessMode::Tagging)) => {
            if !report::list(info.field("vg_tags")).contains(&cfg.tag.as_str()) {
                lvm.must(&["vgchange", "--addtag", &cfg.tag, &cfg.vg])
                    .map_err(generic)?;
            }
            args.extend([
                "lvchange".into(),
                "-ay".into(),
                "--config".into(),
                cfg.tag_volume_list(),
            ]);
        }
        (Flavour::LvmActivate, Some(m @ (AccessMode::Lvmlockd | AccessMode::Clvmd))) => {
            if m == AccessMode::Lvmlockd {
                lvm.must(&["vgchange", "--lockstart", &cfg.vg])
                    .map_err(|e| {
                        err(
                            Code::ErrGeneric,
                            format!("cannot start the lockspace of {}: {e}", cfg.vg),
                        )
                    })?;
            }
            let a = if cfg.shared { "-asy" } else { "-aey" };
            args.extend(["lvchange".into(), a.into()]);
        }
        (Flavour::Legacy, Some(AccessMode::Plain)) => {
            args.extend(["vgchange".into(), "-aly".into()]);
            if ctx.clone {
                args.extend(["--monitor".into(), "y".into()]);
            }
        }
        (Flavour::Legacy, Some(AccessMode::Tagging)) => {
            // Take the VG over from a former owner's tag (the legacy agent's rule), then ours.
            for t in report::list(info.field("vg_tags")) {
                if t != cfg.tag {
                    lvm.must(&["vgchange", "--deltag", t, &cfg.vg])
                        .map_err(generic)?;
                }
            }
            if !report::list(info.field("vg_tags")).contains(&cfg.tag.as_str()) {
                lvm.must(&["vgchange", "--addtag", &cfg.tag, &cfg.vg])
                    .map_err(generic)?;
            }
            args.extend([
                "vgchange".into(),
                "-aly".into(),
                "--config".into(),
                cfg.tag_volume_list(),
            ]);
        }
        (Flavour::Legacy, Some(AccessMode::Clvmd)) => {
            args.extend(["vgchange".into(), "-aey".into()]);
        }
        (_, m) => {
            return Err(err(
                Code::ErrConfigured,
                format!(
                    "no way to activate {} in mode {:?}",
                    cfg.vg,
                    m.map(AccessMode::name)
                ),
            ))
        }
    }
    args.extend(opts);
    args.push(if cfg.flavour == Flavour::Legacy {
        cfg.vg.clone()
    } else {
        target.clone()
    });
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    lvm.must(&a).map_err(generic)?;
    record_state(ctx, mode, &info.system_id);
    // Verify: what the monitor will see. Never a success that did not happen.
    let verify = Ctx {
        deadline: ctx.deadline,
        probe: true,
        check_level: 0,
        state_file: ctx.state_file.clone(),
        check_file: ctx.check_file.clone(),
        interval: Duration::ZERO,
        clone: ctx.clone,
    };
    match monitor(cfg, &verify) {
        Ok(State::Running) => Ok(()),
        Ok(State::Stopped) => Err(err(
            Code::ErrGeneric,
            format!(
                "{} succeeded but {target} is not active (volume_list? activation skip?)",
                args[0]
            ),
        )),
        Err(e) => Err(err(e.code, format!("after {}: {}", args[0], e.reason))),
    }
}

/// system_id: make the VG ours (as stock, it may belong to a node that died), check that it
/// worked (stock ignores vgchange's status), and keep it from being autoactivated at boot
/// (stock's "active on two nodes after reboot" fix).
fn take_over_system_id(cfg: &Config, lvm: &Lvm, info: &VgInfo) -> Result<()> {
    let ours = info.system_id.clone();
    let current = info.field("vg_systemid").to_string();
    if current != ours {
        tracing::info!("taking VG {} over from system ID \"{current}\"", cfg.vg);
        let extra = format!("local/extra_system_ids=[\"{current}\"]");
        let mut a = vec!["vgchange", "-y"];
        if cfg.majority_pvs && lvm.supports("vgchange", "--majoritypvs") {
            a.push("--majoritypvs");
        }
        a.extend(["--config", &extra, "--systemid", &ours, &cfg.vg]);
        lvm.must(&a).map_err(|e| {
            err(
                Code::ErrGeneric,
                format!("cannot take VG {} over from \"{current}\": {e}", cfg.vg),
            )
        })?;
        let now = lvm
            .report(&["vgs", "--foreign", "-o", "vg_systemid", &cfg.vg], "vg")
            .map_err(generic)?;
        let got = now
            .first()
            .and_then(|r| r.get("vg_systemid"))
            .cloned()
            .unwrap_or_default();
        if got != ours {
            return Err(err(
                Code::ErrGeneric,
                format!(
                    "VG {} still has system ID \"{got}\" after the takeover",
                    cfg.vg
                ),
            ));
        }
    }
    // vg_autoactivation is reported by the LVMs that have --setautoactivation.
    if info.field("vg_autoactivation") == "enabled" {
        if let Err(e) = lvm.must(&["vgchange", "--setautoactivation", "n", &cfg.vg]) {
            tracing::warn!("cannot turn off autoactivation of {}: {e}", cfg.vg);
        }
    }
    Ok(())
}

fn record_state(ctx: &Ctx, mode: Option<AccessMode>, system_id: &str) {
    let mode_name = mode.map(AccessMode::name).unwrap_or("");
    if mode == Some(AccessMode::SystemId) {
        sys::write_state(
            &ctx.state_file,
            &[("mode", mode_name), ("system_id", system_id)],
        );
    } else {
        sys::write_state(&ctx.state_file, &[("mode", mode_name)]);
    }
}

// ---- stop -------------------------------------------------------------------------------------

/// Deactivate; `Ok` only when sysfs shows nothing of the VG (or LV) active. Devices held open are
/// retried until shortly before the deadline; the failure names the holders.
pub fn stop(cfg: &Config, ctx: &Ctx) -> Result<()> {
    let lvm = Lvm {
        deadline: ctx.deadline,
    };
    let target = cfg.target();
    let state = sys::read_state(&ctx.state_file);
    let recorded = state
        .iter()
        .find(|(k, _)| k == "mode")
        .map(|(_, v)| v.as_str());
    let mode = effective_mode(cfg, recorded);
    let mut args: Vec<String> = match cfg.flavour {
        Flavour::LvmActivate => vec!["lvchange".into(), "-an".into()],
        Flavour::Legacy => vec![
            "vgchange".into(),
            if mode == Some(AccessMode::Clvmd) {
                "-an"
            } else {
                "-aln"
            }
            .into(),
        ],
    };
    if mode == Some(AccessMode::Tagging) {
        args.extend(["--config".into(), cfg.tag_volume_list()]);
    }
    args.push(if cfg.flavour == Flavour::Legacy {
        cfg.vg.clone()
    } else {
        target.clone()
    });
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut attempts = 0;
    let mut last_error = String::new();
    // Room to give up in: what the last attempt took, plus the holder scan and the answer.
    let mut reserve = Duration::from_secs(2);
    loop {
        let devs = sys::dm_devices().map_err(|e| err(Code::ErrGeneric, e))?;
        let vgd = dm::vg_devices(&devs, &cfg.vg);
        let active = vgd.of_lv(cfg.lv.as_deref());
        if active.is_empty() {
            break;
        }
        if attempts > 0 && ctx.deadline.remaining() < reserve {
            let mut held = Vec::new();
            for d in &active {
                let h = sys::holders(d, &devs)
                    .into_iter()
                    .filter(|h| !active.iter().any(|a| h == &format!("device {}", a.name)))
                    .collect::<Vec<_>>();
                if !h.is_empty() {
                    held.push(format!("{} held by {}", d.name, h.join(", ")));
                }
            }
            tracing::error!(
                "stop: {target} still active after {attempts} attempts; {}",
                held.join("; ")
            );
            let why = if held.is_empty() {
                last_error.clone()
            } else {
                held.join("; ")
            };
            return Err(err(
                Code::ErrGeneric,
                format!("{target} still active: {why}"),
            ));
        }
        attempts += 1;
        let began = std::time::Instant::now();
        let step = ctx.deadline.capped(
            ctx.deadline
                .remaining()
                .saturating_sub(Duration::from_millis(1500)),
        );
        let lvm = Lvm { deadline: &step };
        let result = lvm.run(&a);
        reserve = reserve.max(began.elapsed() + Duration::from_millis(1500));
        match result {
            Ok(out) if out.success() => {}
            Ok(out) => {
                last_error = lvm::one_line(out.last_line());
                // A VG LVM cannot see any more (all PVs gone) leaves its devices behind:
                // remove them directly, devices built on others first.
                if last_error.contains("not found")
                    || last_error.contains("Cannot process volume group")
                {
                    remove_directly(&vgd, cfg.lv.as_deref(), ctx.deadline);
                }
            }
            Err(e) => last_error = e.0,
        }
        let devs = sys::dm_devices().map_err(|e| err(Code::ErrGeneric, e))?;
        if dm::vg_devices(&devs, &cfg.vg)
            .of_lv(cfg.lv.as_deref())
            .is_empty()
        {
            break;
        }
        tracing::info!("stop: {target} still active ({last_error}); retrying");
        if ctx.deadline.remaining() > reserve + Duration::from_secs(1) {
            ctx.deadline.sleep(Duration::from_secs(1));
        }
    }
    match (cfg.flavour, mode) {
        (_, Some(AccessMode::Tagging)) => {
            let tagged = lvm
                .report(&["vgs", "-o", "vg_tags", &cfg.vg], "vg")
                .ok()
                .and_then(|r| r.first().and_then(|r| r.get("vg_tags")).cloned())
                .unwrap_or_default();
            if report::list(&tagged).contains(&cfg.tag.as_str()) {
                lvm.must(&["vgchange", "--deltag", &cfg.tag, &cfg.vg])
                    .map_err(|e| {
                        err(
                            Code::ErrGeneric,
                            format!("{target} deactivated, but removing tag {}: {e}", cfg.tag),
                        )
                    })?;
            }
        }
        (Flavour::LvmActivate, Some(AccessMode::Lvmlockd)) => {
            let devs = sys::dm_devices().map_err(|e| err(Code::ErrGeneric, e))?;
            if dm::vg_devices(&devs, &cfg.vg).is_empty() {
                match lvm.must(&["vgchange", "--lockstop", &cfg.vg]) {
                    Ok(_) => {}
                    // Nothing was active when stop began (stock returns 0 at once then and never
                    // stops the lockspace): the resource is verifiably stopped, and a lockspace we
                    // cannot stop (lvmlockd down, say) must not make a stop on a stopped resource
                    // fail and get the node fenced.
                    Err(e) if attempts == 0 => {
                        tracing::warn!("{target} is not active; lockspace not stopped: {e}")
                    }
                    Err(e) => return Err(generic(e)),
                }
            }
        }
        _ => {}
    }
    let _ = std::fs::remove_file(&ctx.state_file);
    sys::forget_checked(&ctx.check_file);
    Ok(())
}

/// `dmsetup remove` for the devices of a VG LVM no longer sees; holders first.
fn remove_directly(vgd: &dm::VgDevices, lv: Option<&str>, deadline: &Deadline) {
    let mut left: Vec<&DmDevice> = vgd.of_lv(lv);
    for _ in 0..8 {
        let (free, held): (Vec<&DmDevice>, Vec<&DmDevice>) = left
            .iter()
            .partition(|d| !d.holders.iter().any(|h| left.iter().any(|o| &o.kname == h)));
        for d in &free {
            let cmd =
                rustha_support::command::Command::new("dmsetup").args(["remove", d.name.as_str()]);
            match rustha_support::command::run(&cmd, deadline) {
                Ok(o) if o.success() => {
                    tracing::warn!("removed {} directly (its VG is gone)", d.name)
                }
                Ok(o) => tracing::warn!("dmsetup remove {}: {}", d.name, o.last_line()),
                Err(e) => tracing::warn!("dmsetup remove {}: {e}", d.name),
            }
        }
        if held.is_empty() || free.is_empty() {
            break;
        }
        left = held;
    }
}
