// SPDX-License-Identifier: GPL-2.0-or-later
//! The typed configuration of both agents (the pure tier: no system calls).

/// `vg_access_mode` (LVM-activate) or the legacy agent's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessMode {
    SystemId,
    Tagging,
    Lvmlockd,
    Clvmd,
    /// Legacy `LVM` with exclusive=false: `vgchange -aly`, no ownership.
    Plain,
}

impl AccessMode {
    pub fn parse(v: &str) -> Option<AccessMode> {
        match v {
            "system_id" => Some(AccessMode::SystemId),
            "tagging" => Some(AccessMode::Tagging),
            "lvmlockd" => Some(AccessMode::Lvmlockd),
            "clvmd" => Some(AccessMode::Clvmd),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AccessMode::SystemId => "system_id",
            AccessMode::Tagging => "tagging",
            AccessMode::Lvmlockd => "lvmlockd",
            AccessMode::Clvmd => "clvmd",
            AccessMode::Plain => "plain",
        }
    }

    /// Modes in which several nodes may have the VG active at once.
    pub fn is_cluster_locked(self) -> bool {
        matches!(self, AccessMode::Lvmlockd | AccessMode::Clvmd)
    }
}

/// Which agent: the stock behaviours differ in a few places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// ocf:heartbeat:LVM-activate: a recurring monitor of an inactive VG fails (1).
    LvmActivate,
    /// ocf:heartbeat:LVM: monitor of an inactive VG is 7; a VG that is not visible stops as 0.
    Legacy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub flavour: Flavour,
    pub vg: String,
    pub lv: Option<String>,
    /// `None`: the value given is not a mode (start and validate-all refuse it; stop and monitor
    /// still work on the VG).
    pub mode: Option<AccessMode>,
    /// The text given for the mode, for messages.
    pub mode_text: String,
    /// lvmlockd/clvmd: exclusive (`-aey`) or shared (`-asy`).
    pub shared: bool,
    pub tag: String,
    pub partial: bool,
    pub degraded: bool,
    pub majority_pvs: bool,
}

/// LVM's rules for VG and LV names: `[A-Za-z0-9+_.-]`, not beginning with `-`, not `.`/`..`,
/// at most 127 characters.
pub fn valid_lvm_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 127
        && !n.starts_with('-')
        && n != "."
        && n != ".."
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+_.-".contains(&b))
}

/// LVM's rule for tags: `[A-Za-z0-9_+.-/=!:&#]`, at most 1024 characters, not beginning with `-`.
pub fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 1024
        && !t.starts_with('-')
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+.-/=!:&#".contains(&b))
}

impl Config {
    /// The activation target: `VG` or `VG/LV`.
    pub fn target(&self) -> String {
        match &self.lv {
            Some(lv) => format!("{}/{lv}", self.vg),
            None => self.vg.clone(),
        }
    }

    /// The `lvchange`/`vgchange` options for partial or degraded activation (degraded wins, as
    /// stock).
    pub fn activation_options(&self) -> Vec<String> {
        if self.degraded {
            vec!["--activationmode".into(), "degraded".into()]
        } else if self.partial {
            vec!["--partial".into()]
        } else {
            Vec::new()
        }
    }

    /// `--config` that restricts activation to VGs carrying our tag (tagging mode).
    pub fn tag_volume_list(&self) -> String {
        format!("activation{{volume_list=[\"@{}\"]}}", self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config {
            flavour: Flavour::LvmActivate,
            vg: "vg0".into(),
            lv: None,
            mode: Some(AccessMode::SystemId),
            mode_text: "system_id".into(),
            shared: false,
            tag: "pacemaker".into(),
            partial: false,
            degraded: false,
            majority_pvs: false,
        }
    }

    #[test]
    fn names() {
        for ok in ["vg0", "vg-dash", "a.b", "x+_"] {
            assert!(valid_lvm_name(ok), "{ok}");
        }
        for bad in [
            "",
            "-vg",
            ".",
            "..",
            "vg/lv",
            "vg 0",
            "vg\n",
            &"a".repeat(128),
        ] {
            assert!(!valid_lvm_name(bad), "{bad}");
        }
        assert!(!valid_tag("node1@x"));
        assert!(valid_tag("pacemaker") && valid_tag("a:b/c=d"));
    }

    #[test]
    fn commands() {
        let mut c = cfg();
        assert_eq!(c.target(), "vg0");
        c.lv = Some("lv1".into());
        assert_eq!(c.target(), "vg0/lv1");
        assert!(c.activation_options().is_empty());
        c.partial = true;
        assert_eq!(c.activation_options(), ["--partial"]);
        c.degraded = true;
        assert_eq!(c.activation_options(), ["--activationmode", "degraded"]);
        assert_eq!(
            c.tag_volume_list(),
            "activation{volume_list=[\"@pacemaker\"]}"
        );
        assert_eq!(AccessMode::parse("tagging"), Some(AccessMode::Tagging));
        assert_eq!(AccessMode::parse("TAGGING"), None);
    }
}
