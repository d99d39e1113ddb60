// SPDX-License-Identifier: GPL-2.0-or-later
//! Device-mapper names and UUIDs as LVM makes them.
//!
//! LVM names a device `VG-LV[-LAYER]` with every `-` inside VG and LV doubled (`vg-a`/`lv-x` →
//! `vg--a-lv--x`), and gives it the UUID `LVM-<VG UUID><LV UUID>[-LAYER]` (UUIDs without their
//! dashes, 32 characters each). Layers are LVM's hidden devices (`-real`, `-cow`, `-tpool`, ...).

/// VG, LV and layer of an LVM device-mapper name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LvName {
    pub vg: String,
    pub lv: String,
    pub layer: Option<String>,
}

/// Split a device-mapper name made by LVM; `None` when it has no VG-LV separator.
pub fn split(name: &str) -> Option<LvName> {
    let mut parts: Vec<String> = vec![String::new()];
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' {
            if chars.peek() == Some(&'-') {
                chars.next();
                parts.last_mut()?.push('-');
            } else if parts.len() < 3 {
                parts.push(String::new());
            } else {
                // A layer keeps its own dashes.
                parts.last_mut()?.push('-');
            }
        } else {
            parts.last_mut()?.push(c);
        }
    }
    if parts.len() < 2 || parts[0].is_empty() || parts[1].is_empty() {
        return None;
    }
    let layer = parts.get(2).cloned().filter(|l| !l.is_empty());
    Some(LvName {
        vg: parts[0].clone(),
        lv: parts[1].clone(),
        layer,
    })
}

/// The device-mapper name LVM gives VG/LV.
pub fn join(vg: &str, lv: &str) -> String {
    format!("{}-{}", vg.replace('-', "--"), lv.replace('-', "--"))
}

/// Whether a device-mapper UUID is LVM's, and its VG UUID part (32 characters).
pub fn lvm_vg_uuid(uuid: &str) -> Option<&str> {
    let rest = uuid.strip_prefix("LVM-")?;
    rest.get(..32)
        .filter(|u| u.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lv(vg: &str, lv: &str, layer: Option<&str>) -> Option<LvName> {
        Some(LvName {
            vg: vg.into(),
            lv: lv.into(),
            layer: layer.map(Into::into),
        })
    }

    #[test]
    fn splits_names_recorded_in_the_vm() {
        assert_eq!(split("vgr-lv1"), lv("vgr", "lv1", None));
        assert_eq!(split("vg--dash-lv--x"), lv("vg-dash", "lv-x", None));
        assert_eq!(split("vgr-lv1-real"), lv("vgr", "lv1", Some("real")));
        assert_eq!(split("vgr-snap1-cow"), lv("vgr", "snap1", Some("cow")));
        assert_eq!(split("vg-pool-tpool-x"), lv("vg", "pool", Some("tpool-x")));
        assert_eq!(split("a---b-c"), lv("a-", "b", Some("c")));
    }

    #[test]
    fn refuses_names_that_are_not_lvm_names() {
        assert_eq!(split("mpatha"), None);
        assert_eq!(split("vg--only"), None);
        assert_eq!(split("-lv"), None);
        assert_eq!(split("vg-"), None);
        assert_eq!(split(""), None);
    }

    #[test]
    fn join_is_the_inverse_of_split() {
        // LVM refuses names that begin with '-'; any other dash is fine.
        for (vg, l) in [
            ("vgr", "lv1"),
            ("vg-dash", "lv-x"),
            ("a--b", "c-"),
            ("x-", "y--z-"),
        ] {
            let n = split(&join(vg, l)).unwrap();
            assert_eq!((n.vg.as_str(), n.lv.as_str(), n.layer), (vg, l, None));
        }
    }

    #[test]
    fn lvm_uuids() {
        let u = "LVM-xeaV66JUV4vXYpAXl09uLzZ7rUSPszkX830pWeSfGPqw7MFbOSwGQcjd9j6PvwiH-real";
        assert_eq!(lvm_vg_uuid(u), Some("xeaV66JUV4vXYpAXl09uLzZ7rUSPszkX"));
        assert_eq!(lvm_vg_uuid("CRYPT-LUKS2-abc"), None);
        assert_eq!(lvm_vg_uuid("LVM-short"), None);
    }
}
