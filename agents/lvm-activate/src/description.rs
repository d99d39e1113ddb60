// SPDX-License-Identifier: GPL-2.0-or-later
//! The names, texts and actions of LVM-activate and the legacy LVM (their parameters are
//! declared in [`crate::params`]).

use rustha_ocf::{ActionSpec, Description};

pub static LVM_ACTIVATE: Description = Description {
    name: "LVM-activate",
    version: "1.0",
    shortdesc: "This agent activates/deactivates logical volumes.",
    longdesc: "Activates and deactivates an LVM volume group (or one \
logical volume of it) for one node at a time, guarding it against activation on another node. \
A drop-in replacement for ocf:heartbeat:LVM-activate with the same parameters and exit codes.

vg_access_mode selects the guard: system_id (the VG carries the system ID of the node that \
owns it; start takes it over from a failed node, checks that it worked and turns off boot-time \
autoactivation), tagging (the VG carries a tag, and lvm.conf's activation/volume_list keeps \
untagged VGs inactive), lvmlockd (cluster locks through lvmlockd; exclusive or shared) or clvmd \
(refused when clvmd is not installed: LVM 2.03 has none).

The monitor runs no LVM command (those can hang on a dead PV): it reads the device-mapper \
state from sysfs and the VG metadata from a PV in use (O_DIRECT). It fails, with a reason, when \
an LV uses a device that no longer exists, when the VG is incompletely active (lvname unset), \
and when the VG no longer carries our system ID or tag (another node took it over). A monitor \
without an interval (a probe) of an inactive VG returns 7; a recurring monitor returns 1, as \
the stock agent, so that on-fail=fence acts. OCF_CHECK_LEVEL=10 also reads the first block of \
every active LV with O_DIRECT, bounded by the operation timeout.

Stop never reports success while an LV is still active: a device held open is retried until \
shortly before the timeout, and the failure names the holders (mounts, processes, devices built \
on it). validate-all warns when DRBD devices exist and lvm.conf's filters do not exclude them.",
    actions: &[
        ActionSpec::new("start", 90),
        ActionSpec::new("stop", 90),
        ActionSpec::new("monitor", 90).interval(30).depth(0),
        ActionSpec::new("meta-data", 10),
        ActionSpec::new("validate-all", 20),
    ],
    see_also: &[
        "ocf_rustha_LVM(7)",
        "lvmsystemid(7)",
        "lvm.conf(5)",
        "lvchange(8)",
    ],
};

pub static LVM: Description = Description {
    name: "LVM",
    version: "1.0",
    shortdesc: "Controls the availability of an LVM Volume Group",
    longdesc: "Activates and deactivates a whole LVM volume group: the legacy \
agent, a drop-in replacement for ocf:heartbeat:LVM with the same parameters, built from the \
same code as ocf:rustha:LVM-activate (prefer that agent for new configurations).

exclusive=false activates the VG locally (vgchange -aly) with no guard against another node. \
exclusive=true uses clvmd for clustered VGs (refused when clvmd is not installed) and otherwise \
tags: start removes a former owner's tag and adds ours, and lvm.conf's activation/volume_list \
must keep untagged VGs inactive.

The monitor reads sysfs and the on-disk metadata, never runs LVM, and fails with a reason when \
an LV uses a device that no longer exists, when the VG is incompletely active or lost our tag. \
Stop never reports success while an LV is still active.",
    actions: &[
        ActionSpec::new("start", 30),
        ActionSpec::new("stop", 30),
        ActionSpec::new("status", 30),
        ActionSpec::new("monitor", 30).interval(10).depth(0),
        ActionSpec::new("methods", 5),
        ActionSpec::new("meta-data", 5),
        ActionSpec::new("validate-all", 5),
    ],
    see_also: &["ocf_rustha_LVM-activate(7)", "vgchange(8)", "lvm.conf(5)"],
};
