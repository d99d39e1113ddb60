// SPDX-License-Identifier: GPL-2.0-or-later
//! `ocf:rustha:Filesystem`: drop-in for `ocf:heartbeat:Filesystem` (same parameters, defaults and
//! meanings).

use rustha_ocf::{ActionSpec as Action, Agent, Kind, Parameter};

pub static FILESYSTEM: Agent = Agent {
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
    parameters: &[
        Parameter::new("device", Kind::String, "block device")
            .required()
            .long(
                "The name of the block device for the file system, or -U/-L (or UUID=/LABEL=) \
options for mount, or an NFS/CIFS mount specification, or the source directory of a bind \
mount.

NOTE: /dev/disk/by-{uuid,label}/ paths are preferred to -U/-L.",
            ),
        Parameter::new("directory", Kind::String, "mount point")
            .required()
            .long("The mount point for the file system (an absolute path)."),
        Parameter::new("fstype", Kind::String, "filesystem type")
            .required()
            .long("The type of file system to be mounted (ext4, xfs, nfs, cifs, none for bind mounts, ...)."),
        Parameter::new("options", Kind::String, "options").long(
            "Any extra options to be given as -o options to mount.

For bind mounts, add \"bind\" here and set fstype to \"none\". Options such as \"bind,ro\" \
are handled (ro is applied by a remount).",
        ),
        Parameter::new("statusfile_prefix", Kind::String, "status file prefix")
            .reloadable().default(".Filesystem_status/")
            .long(
                "The prefix to be used for a status file for resource monitoring with depth 20. \
If you don't specify this parameter, all status files will be created in a separate directory.",
            ),
        Parameter::new("run_fsck", Kind::String, "run_fsck")
            .reloadable().default("auto")
            .long(
                "Specify how to decide whether to run fsck or not.

\"auto\"  : decide to run fsck depending on the fstype (default): journalled and network \
file systems are not checked
\"force\" : always run fsck regardless of the fstype
\"no\"    : do not run fsck ever.",
            ),
        Parameter::new("fast_stop", Kind::Boolean, "fast stop")
            .reloadable().default("no")
            .long(
                "Normally, we expect no users of the filesystem and the stop operation to \
finish quickly. If you cannot control the filesystem users easily and want to prevent the \
stop action from failing, then set this parameter to \"no\" and add an appropriate timeout \
for the stop operation. With \"yes\", each mount gets at most 6 seconds.",
            ),
        Parameter::new(
            "force_clones",
            Kind::Boolean,
            "allow running as a clone, regardless of filesystem type",
        )
        .default("false")
        .long(
            "The use of a clone setup for local filesystems is forbidden by default. For \
special setups like glusterfs, cloning a mount of a local device with a filesystem like ext4 \
or xfs independently on several nodes is a valid use case.

Only set this to \"true\" if you know what you are doing!",
        ),
        Parameter::new("force_unmount", Kind::String, "Kill processes before unmount")
            .reloadable().default("true")
            .long(
                "How to handle processes that are currently accessing the mount directory.

\"true\"  : Kill processes accessing mount point
\"safe\"  : Kill processes accessing mount point using methods that avoid functions that \
could potentially block during process detection
\"false\" : Do not kill any processes.

This agent always uses the non-blocking method (a walk of /proc that reads links and memory \
maps but never touches the mount), so \"true\" and \"safe\" behave the same. The stock \
modifiers (\"move\", \"xargs\", \"ps\", e.g. \"safe,move\") are accepted.",
            ),
        Parameter::new("term_signals", Kind::String, "Signals to end processes")
            .reloadable().default("TERM")
            .long(
                "Signals (names or numbers, separated by spaces or commas) sent first to the \
processes that keep the file system busy on stop.",
            ),
        Parameter::new("kill_signals", Kind::String, "Signals to kill processes")
            .reloadable().default("KILL")
            .long(
                "Signals sent to the processes that still keep the file system busy \
signal_delay seconds after term_signals.",
            ),
        Parameter::new("signal_delay", Kind::Integer, "Delay between signals")
            .reloadable().default("1")
            .long("Seconds to wait after term_signals before sending kill_signals."),
    ],
    actions: &[
        Action::new("start", 60),
        Action::new("stop", 60),
        Action::new("monitor", 40).interval(20).depth(0),
        Action::new("validate-all", 5),
        Action::new("meta-data", 5),
        Action::new("methods", 5),
        Action::new("reload-agent", 20),
    ],
    see_also: &["mount(8)", "fsck(8)"],
};

#[cfg(test)]
mod tests {
    use super::*;
    use rustha_ocf::{xml, OcfVersion};

    #[test]
    fn only_parameters_read_afresh_by_each_action_are_reloadable() {
        let reloadable: Vec<&str> = FILESYSTEM
            .parameters
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
            let p = FILESYSTEM.parameter(name).expect(name);
            assert!(!p.reloadable, "{name} must not be reloadable");
        }
    }

    #[test]
    fn reload_agent_is_announced_to_ocf_1_1_callers_only() {
        assert!(FILESYSTEM.action("reload-agent").is_some());
        let v11 = xml::render(&FILESYSTEM, OcfVersion::V1_1);
        assert!(v11.contains("<action name=\"reload-agent\" timeout=\"20s\" />"));
        assert!(v11.contains(
            "<parameter name=\"signal_delay\" unique=\"0\" required=\"0\" reloadable=\"1\">"
        ));
        assert!(v11.contains("<parameter name=\"options\" unique=\"0\" required=\"0\">"));
        let v10 = xml::render(&FILESYSTEM, OcfVersion::V1_0);
        assert!(!v10.contains("<action name=\"reload-agent\""));
        assert!(!v10.contains("reloadable="));
    }
}
