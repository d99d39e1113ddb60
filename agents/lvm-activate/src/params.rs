// SPDX-License-Identifier: GPL-2.0-or-later
//! The parameters of LVM-activate and the legacy LVM, each declared once (name per agent,
//! default, whether it identifies the VG, descriptions, parser), and [`Config`]: what they mean
//! together, still without a system call.
//!
//! vgname/volgrpname and lvname identify what is activated: when one is invalid, nothing this
//! agent could have started is named (stop succeeds, a monitor finds it stopped). The others
//! only shape how it is activated: when one is invalid, stop and monitor use its default
//! (start and validate-all refuse it).

use crate::config::{valid_lvm_name, valid_tag, AccessMode, Config, Flavour};
use rustha_ocf::params::parse;
use rustha_ocf::{params, Kind, Parameter};

type Parsed<T> = std::result::Result<T, String>;

/// A VG name; LVM also takes `/dev/VG`.
pub fn parse_vg(v: &str) -> Parsed<String> {
    let v = v.trim();
    let v = v.strip_prefix("/dev/").unwrap_or(v);
    if valid_lvm_name(v) {
        Ok(v.to_string())
    } else {
        Err("an LVM volume group name ([A-Za-z0-9+_.-], not beginning with -)".into())
    }
}

fn parse_lv(v: &str) -> Parsed<Option<String>> {
    match v.trim() {
        "" => Ok(None),
        l if valid_lvm_name(l) => Ok(Some(l.to_string())),
        _ => Err("an LVM logical volume name ([A-Za-z0-9+_.-], not beginning with -)".into()),
    }
}

/// `None` when empty: missing is the runtime's to report (required), and stop and monitor
/// still work on the VG without knowing the mode.
fn parse_mode(v: &str) -> Parsed<Option<AccessMode>> {
    match v.trim() {
        "" => Ok(None),
        m => AccessMode::parse(m)
            .map(Some)
            .ok_or_else(|| "system_id, tagging, lvmlockd or clvmd".into()),
    }
}

fn parse_activation_mode(v: &str) -> Parsed<bool> {
    match v.trim() {
        "" | "exclusive" => Ok(false),
        "shared" => Ok(true),
        _ => Err("exclusive or shared".into()),
    }
}

fn parse_tag(v: &str) -> Parsed<String> {
    let v = v.trim();
    if valid_tag(v) {
        Ok(v.to_string())
    } else {
        Err("an LVM tag ([A-Za-z0-9_+.-/=!:&#], not beginning with -)".into())
    }
}

params! {
    /// Both agents' parameters; each agent declares the ones it has.
    pub struct Params {
        pub vg: String = Parameter::new("vgname", Kind::String, "Volume group name")
            .required().identifies().example("vg_data")
            .long("The volume group name.")
            .variant("LVM", &Parameter::new("volgrpname", Kind::String, "Volume group name")
                .required().unique().identifies().example("vg_data")
                .long("The name of volume group."))
            => parse_vg,
        pub lv: Option<String> = Parameter::new("lvname", Kind::String, "Logical volume name")
            .only_in(&["LVM-activate"]).identifies()
            .long("If set, only this logical volume is activated and deactivated; otherwise every \
logical volume of the volume group.")
            => parse_lv,
        pub mode: Option<AccessMode> = Parameter::new("vg_access_mode", Kind::String, "VG access mode")
            .only_in(&["LVM-activate"]).required().example("system_id")
            .long("How the volume group is kept from being active on two nodes: system_id, \
tagging, lvmlockd or clvmd. It must match how the VG is set up (its system ID, lock type or \
tags).")
            => parse_mode,
        pub shared: bool = Parameter::new("activation_mode",
                Kind::Select(&["exclusive", "shared"]), "Logical volume activation mode")
            .only_in(&["LVM-activate"]).default("exclusive")
            .long("lvmlockd and clvmd: activate exclusively (one node) or shared (several nodes).")
            => parse_activation_mode,
        pub exclusive: bool = Parameter::new("exclusive", Kind::Boolean, "Exclusive activation")
            .only_in(&["LVM"]).default("false")
            .long("If set, the volume group is activated exclusively: through clvmd for a \
clustered VG, else by tagging (see tag).")
            => parse::boolean,
        pub tag: String = Parameter::new("tag", Kind::String, "Tag name")
            .default("pacemaker")
            .long("tagging: the tag that marks the volume group as activated by the cluster. It \
must not be listed in lvm.conf's activation/volume_list.")
            .variant("LVM", &Parameter::new("tag", Kind::String, "Exclusive activation tag")
                .default("pacemaker")
                .long("The tag that marks the volume group as owned by the cluster \
(exclusive=true, non-clustered VG)."))
            => parse_tag,
        pub partial: bool = Parameter::new("partial_activation", Kind::Boolean, "Activate with missing PVs")
            .default("false")
            .long("Activate the volume group even when some of its physical volumes are missing \
(lvchange --partial).")
            => parse::boolean,
        pub degraded: bool = Parameter::new("degraded_activation", Kind::Boolean, "Degraded activation")
            .only_in(&["LVM-activate"]).default("false")
            .long("Activate RAID LVs even when degraded (lvchange --activationmode degraded); \
takes precedence over partial_activation.")
            => parse::boolean,
        pub majority_pvs: bool = Parameter::new("majority_pvs", Kind::Boolean, "Take over with a majority of PVs")
            .only_in(&["LVM-activate"]).default("false")
            .long("system_id: allow the takeover when a majority of the PVs is present (vgchange \
--majoritypvs, used when this LVM supports it).")
            => parse::boolean,
    }
}

impl Params {
    /// What the parameters mean for `flavour`.
    pub fn config(&self, flavour: Flavour, mode_text: &str) -> Config {
        let mode = match flavour {
            Flavour::LvmActivate => self.mode,
            Flavour::Legacy if self.exclusive => Some(AccessMode::Tagging),
            Flavour::Legacy => Some(AccessMode::Plain),
        };
        Config {
            flavour,
            vg: self.vg.clone(),
            lv: self.lv.clone(),
            mode,
            mode_text: mode_text.to_string(),
            shared: self.shared,
            tag: self.tag.clone(),
            partial: self.partial,
            degraded: self.degraded,
            majority_pvs: self.majority_pvs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations() {
        rustha_ocf::params::check_declarations::<Params>("LVM-activate").unwrap();
        rustha_ocf::params::check_declarations::<Params>("LVM").unwrap();
    }

    #[test]
    fn values() {
        assert_eq!(parse_vg("/dev/vg0").unwrap(), "vg0");
        assert!(parse_vg("vg 0").is_err());
        assert!(parse_vg("").is_err());
        assert_eq!(parse_lv("").unwrap(), None);
        assert!(parse_lv("-x").is_err());
        assert_eq!(parse_mode("tagging").unwrap(), Some(AccessMode::Tagging));
        assert_eq!(parse_mode("").unwrap(), None);
        assert!(parse_mode("bogus").unwrap_err().contains("system_id"));
        assert!(parse_activation_mode("shared").unwrap());
        assert!(parse_activation_mode("both").is_err());
        assert!(parse_tag("a b").is_err());
    }
}
