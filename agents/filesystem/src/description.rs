// SPDX-License-Identifier: GPL-2.0-or-later
//! The name, texts and actions of `ocf:rustha:Filesystem`, a drop-in for `ocf:heartbeat:Filesystem`
//! (same parameters, defaults and meanings; they are declared in [`crate::params`]).

use rustha_ocf::{ActionSpec as Action, Description};

pub static FILESYSTEM: Description = Description {
    name: "Filesystem",
    version: "1.1",
    shortdesc: "Manages filesystem mounts",
    longdesc: "Resource agent for a file system: mounts a block device, network share or bind \
source on a directory, and unmounts it again, stopping the processes that hold it if needed. \
A drop-in replacement for ocf:heartbeat:Filesystem with the same parameters.

The monitor operation of depth 0 (also the probe) checks that the right device is mounted on \
the directory, read from /proc/self/mountinfo. Deeper checks, with OCF_CHECK_LEVEL:

10: read the first block of the device directly (O_DIRECT). This exercises the device, not the \
file system, and is a no-op for non-block devices such as NFS, CIFS or bind mounts.

20: write, fsync and read back a status file on the file system, then remove it. The status \
file must be writable by root, which is often not the case on NFS exports with root_squash: \
use depth 10 there, export with no_root_squash, or make the status file directory writable.

Stop never blocks on a dead network server: the processes that hold the mount are found by \
reading /proc (links and memory maps, compared path component by path component), never by \
touching the mount itself, and every step is bounded by the operation timeout.

A change of only reloadable parameters (statusfile_prefix, run_fsck, fast_stop, force_unmount, \
term_signals, kill_signals, signal_delay) is applied with reload-agent (OCF 1.1): the new values \
are checked and used from the next monitor, start or stop, without unmounting.",
    actions: &[
        Action::new("start", 60),
        Action::new("stop", 60),
        Action::new("monitor", 40).interval(20).depth(0),
        Action::new("validate-all", 5),
        Action::new("meta-data", 5),
        Action::new("reload-agent", 20),
    ],
    see_also: &["mount(8)", "fsck(8)"],
};

#[cfg(test)]
mod tests {
    use crate::params::Params;
    use rustha_ocf::params::{agent_of, parameters_of};
    use rustha_ocf::{xml, OcfVersion};

    #[test]
    fn only_parameters_read_afresh_by_each_action_are_reloadable() {
        let params = parameters_of::<Params>("Filesystem");
        let reloadable: Vec<&str> = params
            .iter()
            .filter(|p| p.reloadable)
            .map(|p| p.name)
            .collect();
        assert_eq!(
            reloadable,
            [
                "statusfile_prefix",
                "run_fsck",
                "fast_stop",
                "force_unmount",
                "term_signals",
                "kill_signals",
                "signal_delay"
            ]
        );
        for name in ["device", "directory", "fstype", "options", "force_clones"] {
            let p = params.iter().find(|p| p.name == name).expect(name);
            assert!(!p.reloadable, "{name} must not be reloadable");
        }
    }

    #[test]
    fn meta_data_lists_what_a_tool_may_schedule() {
        let agent = agent_of::<Params>(&super::FILESYSTEM);
        assert!(agent.action("reload-agent").is_some());
        // methods is answered, but it is not an action a cluster schedules.
        assert!(agent.action("methods").is_none());
        let v11 = xml::render(agent, OcfVersion::V1_1);
        assert!(v11.contains("<action name=\"reload-agent\" timeout=\"20s\" />"));
        assert!(!v11.contains("\"methods\""));
        assert!(v11.contains(
            "<parameter name=\"signal_delay\" unique=\"0\" required=\"0\" reloadable=\"1\">"
        ));
        assert!(v11.contains("<parameter name=\"options\" unique=\"0\" required=\"0\">"));
        let v10 = xml::render(agent, OcfVersion::V1_0);
        assert!(!v10.contains("<action name=\"reload-agent\""));
        assert!(!v10.contains("reloadable="));
    }
}
