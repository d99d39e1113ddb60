// SPDX-License-Identifier: GPL-2.0-or-later
//! ocf:rustha:LVM-activate — activates a volume group (or one LV) on one node at a time:
//! `vgname`, `lvname`, `vg_access_mode` system_id|tagging|lvmlockd|clvmd, `activation_mode`,
//! `tag`, `partial_activation`, `degraded_activation`, `majority_pvs`. See
//! ocf_rustha_LVM-activate(7) and docs/LVM-activate.md.

fn main() -> std::process::ExitCode {
    rustha_ocf::run(&lvm_activate::ra::LVM_ACTIVATE)
}
