// SPDX-License-Identifier: GPL-2.0-or-later
//! Device-mapper state read from sysfs (`/sys/block/dm-N/{dev,dm/name,dm/uuid,slaves,holders}`):
//! what is active, what each device is built on, and whether those devices still exist. sysfs is
//! answered from the kernel's own records: reading it never waits for a disk, unlike LVM commands
//! (which scan devices) or `dmsetup` (which the stock agent spawns on every monitor).

use crate::dmname::{self, LvName};
use std::collections::BTreeSet;
use std::path::Path;

/// One device-mapper device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmDevice {
    /// Kernel name, `dm-3`.
    pub kname: String,
    /// `MAJOR:MINOR`.
    pub dev: String,
    pub name: String,
    pub uuid: String,
    pub slaves: Vec<Slave>,
    /// Kernel names of the devices built on this one (`dm-5`, `drbd0`, `md1`).
    pub holders: Vec<String>,
}

/// A device a device-mapper table uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slave {
    pub kname: String,
    /// `MAJOR:MINOR`; `None` when the device is gone (deleted disk, lost path): the kernel keeps
    /// the link in `slaves/` but the device behind it has no `dev` any more.
    pub dev: Option<String>,
}

/// Every device-mapper device under `sys_block` (normally `/sys/block`). Devices that vanish
/// while being read are left out.
pub fn scan(sys_block: &Path) -> std::io::Result<Vec<DmDevice>> {
    let mut devices = Vec::new();
    for entry in std::fs::read_dir(sys_block)? {
        let kname = entry?.file_name().to_string_lossy().into_owned();
        if !kname.starts_with("dm-") {
            continue;
        }
        let dir = sys_block.join(&kname);
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).map(|s| s.trim().to_string());
        let (Ok(dev), Ok(name)) = (read("dev"), read("dm/name")) else {
            continue;
        };
        let uuid = read("dm/uuid").unwrap_or_default();
        let slaves = list(&dir.join("slaves"))
            .into_iter()
            .map(|s| Slave {
                dev: std::fs::read_to_string(dir.join("slaves").join(&s).join("dev"))
                    .ok()
                    .map(|d| d.trim().to_string()),
                kname: s,
            })
            .collect();
        let holders = list(&dir.join("holders"));
        devices.push(DmDevice {
            kname,
            dev,
            name,
            uuid,
            slaves,
            holders,
        });
    }
    devices.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(devices)
}

fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The LVM devices of one VG (including LVM's hidden layer devices), as the stock agent selects
/// them (`dmsetup info -S vg_name=VG`), by name *and* LVM UUID so a foreign device whose name
/// happens to look like `VG-x` is not counted.
#[derive(Debug, Clone)]
pub struct VgDevices<'a> {
    pub devices: Vec<(&'a DmDevice, LvName)>,
}

/// Something wrong with an active VG that the stock agent does not see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The table of `lv` uses `device`, which no longer exists (a PV was removed or lost).
    Vanished { lv: String, device: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Vanished { lv, device } => {
                write!(f, "LV {lv} uses device {device}, which no longer exists")
            }
        }
    }
}

pub fn vg_devices<'a>(all: &'a [DmDevice], vg: &str) -> VgDevices<'a> {
    VgDevices {
        devices: all
            .iter()
            .filter(|d| dmname::lvm_vg_uuid(&d.uuid).is_some())
            .filter_map(|d| dmname::split(&d.name).map(|n| (d, n)))
            .filter(|(_, n)| n.vg == vg)
            .collect(),
    }
}

impl<'a> VgDevices<'a> {
    /// No device of the VG is active (the stock agent's "not running").
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    /// The LVs with a top-level device (no layer suffix): what `lvs` shows as active.
    pub fn active_lvs(&self) -> BTreeSet<String> {
        self.devices
            .iter()
            .filter(|(_, n)| n.layer.is_none())
            .map(|(_, n)| n.lv.clone())
            .collect()
    }

    /// The devices of `lv` (its own and its layers'), or of every LV when `lv` is `None`.
    pub fn of_lv(&self, lv: Option<&str>) -> Vec<&'a DmDevice> {
        self.devices
            .iter()
            .filter(|(_, n)| lv.is_none_or(|l| n.lv == l))
            .map(|(d, _)| *d)
            .collect()
    }

    /// Whether `lv` (or, with `None`, any LV of the VG) has a device.
    pub fn is_active(&self, lv: Option<&str>) -> bool {
        !self.of_lv(lv).is_empty()
    }

    /// Devices under `lv` (or the whole VG) that have vanished.
    pub fn problems(&self, lv: Option<&str>) -> Vec<Problem> {
        let mut out = Vec::new();
        for (d, n) in &self.devices {
            if lv.is_some_and(|l| n.lv != l) {
                continue;
            }
            for s in d.slaves.iter().filter(|s| s.dev.is_none()) {
                out.push(Problem::Vanished {
                    lv: format!("{}/{}", n.vg, n.lv),
                    device: format!("/dev/{}", s.kname),
                });
            }
        }
        out.dedup();
        out
    }

    /// Kernel names of the non-device-mapper devices the VG's active devices are built on
    /// (its PVs in use), in order of first use.
    pub fn physical_devices(&self, lv: Option<&str>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for d in self.of_lv(lv) {
            for s in &d.slaves {
                if s.dev.is_some() && !s.kname.starts_with("dm-") && !out.contains(&s.kname) {
                    out.push(s.kname.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Rebuild a `/sys/block` tree from a dump recorded in a VM (`tests/fixtures/sysfs-*`: lines
    /// `dm-0/dm/name=...`, `dm-0/holders=dm-1 dm-2`, `dm-0/slaves/vda->... exists=yes dev=254:0`).
    pub fn sysfs_from_dump(dump: &str, root: &Path) {
        let block = root.join("block");
        std::fs::create_dir_all(&block).unwrap();
        for line in dump.lines() {
            if let Some((path, rest)) = line.split_once("->") {
                // dm-0/slaves/vda->TARGET exists=yes dev=254:0
                let (dm, slave) = path.split_once("/slaves/").unwrap();
                let exists = rest.contains("exists=yes");
                let dev = rest.rsplit("dev=").next().unwrap().trim();
                let target = block.join(format!("{slave}.dev-of-{dm}"));
                if exists {
                    std::fs::create_dir_all(&target).unwrap();
                    std::fs::write(target.join("dev"), format!("{dev}\n")).unwrap();
                }
                let link = block.join(dm).join("slaves").join(slave);
                std::fs::create_dir_all(link.parent().unwrap()).unwrap();
                std::os::unix::fs::symlink(&target, link).unwrap();
                continue;
            }
            let (path, value) = line.split_once('=').unwrap();
            if path.ends_with("/slaves") {
                std::fs::create_dir_all(block.join(path)).unwrap();
            } else if path.ends_with("/holders") {
                std::fs::create_dir_all(block.join(path)).unwrap();
                for h in value.split_whitespace() {
                    std::fs::write(block.join(path).join(h), "").unwrap();
                }
            } else {
                let p = block.join(path);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, format!("{value}\n")).unwrap();
            }
        }
    }

    pub fn fixture(name: &str) -> String {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    pub fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "lvm-activate-test-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn scan_fixture(name: &str) -> Vec<DmDevice> {
        let root = tempdir(name);
        sysfs_from_dump(&fixture(name), &root);
        let devs = scan(&root.join("block")).unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        devs
    }

    #[test]
    fn reads_the_active_vgs() {
        let devs = scan_fixture("sysfs-active");
        assert_eq!(devs.len(), 3);
        let vgr = vg_devices(&devs, "vgr");
        assert_eq!(
            vgr.active_lvs().into_iter().collect::<Vec<_>>(),
            ["lv1", "lv2"]
        );
        assert!(vgr.is_active(Some("lv2")));
        assert!(!vgr.is_active(Some("lv3")));
        assert!(vgr.problems(None).is_empty());
        assert_eq!(vgr.physical_devices(None), ["vda", "sda"]);
        let dash = vg_devices(&devs, "vg-dash");
        assert_eq!(dash.active_lvs().into_iter().collect::<Vec<_>>(), ["lv-x"]);
        assert!(vg_devices(&devs, "vg").is_empty());
    }

    #[test]
    fn an_lv_deactivated_behind_our_back() {
        let devs = scan_fixture("sysfs-lv2-inactive");
        let vgr = vg_devices(&devs, "vgr");
        assert!(vgr.is_active(None));
        assert!(!vgr.is_active(Some("lv2")));
    }

    #[test]
    fn snapshot_layers_belong_to_their_lv() {
        let devs = scan_fixture("sysfs-snap");
        let vgr = vg_devices(&devs, "vgr");
        assert_eq!(
            vgr.active_lvs().into_iter().collect::<Vec<_>>(),
            ["lv1", "lv2", "lv3", "snap1"]
        );
        let lv1: Vec<_> = vgr
            .of_lv(Some("lv1"))
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(lv1, ["vgr-lv1", "vgr-lv1-real"]);
        let real = devs.iter().find(|d| d.name == "vgr-lv1-real").unwrap();
        assert_eq!(real.holders, ["dm-0", "dm-6"]);
        assert_eq!(vgr.physical_devices(Some("lv1")), ["vda"]);
    }

    #[test]
    fn a_pv_removed_under_an_active_lv() {
        let devs = scan_fixture("sysfs-pv-gone");
        let vgr = vg_devices(&devs, "vgr");
        assert!(vgr.is_active(Some("lv2")));
        assert_eq!(
            vgr.problems(None),
            [Problem::Vanished {
                lv: "vgr/lv2".into(),
                device: "/dev/sda".into()
            }]
        );
        assert!(vgr.problems(Some("lv1")).is_empty());
        assert_eq!(
            vgr.problems(Some("lv2"))[0].to_string(),
            "LV vgr/lv2 uses device /dev/sda, which no longer exists"
        );
        assert_eq!(vgr.physical_devices(None), ["vda"]);
    }

    #[test]
    fn a_foreign_device_named_like_the_vg_is_not_ours() {
        let d = DmDevice {
            kname: "dm-9".into(),
            dev: "253:9".into(),
            name: "vgr-crypt".into(),
            uuid: "CRYPT-LUKS2-0123".into(),
            slaves: vec![],
            holders: vec![],
        };
        assert!(vg_devices(std::slice::from_ref(&d), "vgr").is_empty());
    }
}
