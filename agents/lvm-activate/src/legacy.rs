// SPDX-License-Identifier: GPL-2.0-or-later
//! ocf:rustha:LVM — the legacy agent: a whole volume group, `volgrpname`, `exclusive` (tags or
//! clvmd), `tag`, `partial_activation`. The same code as LVM-activate. See ocf_rustha_LVM(7).

fn main() -> std::process::ExitCode {
    rustha_ocf::run(&lvm_activate::ra::LVM)
}
