// SPDX-License-Identifier: GPL-2.0-or-later
//! resource-agents' ocf-tester against the agent installed in an OCF root, on ext4 and xfs loop
//! devices (root only).

use rustha_testkit::*;
use std::process::Command;

const AGENT: &str = env!("CARGO_BIN_EXE_Filesystem");

fn ocf_tester(fstype: &str) {
    require_root("loop devices and mounts");
    assert!(
        std::path::Path::new("/usr/sbin/ocf-tester").exists(),
        "ocf-tester not found: apt-get install resource-agents libxml2-utils"
    );
    let fx = Fixture::new(&format!("tester-{fstype}"), fstype);
    // An OCF root with the agent as ocf:rustha:Filesystem and the stock shell library.
    // ocf-tester runs the agent as an unprivileged user too: the path must be traversable.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fx.dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    let ocf_root = fx.path("ocf");
    let provider = format!("{ocf_root}/resource.d/rustha");
    std::fs::create_dir_all(&provider).unwrap();
    std::fs::copy(AGENT, format!("{provider}/Filesystem")).unwrap();
    std::os::unix::fs::symlink("/usr/lib/ocf/lib", format!("{ocf_root}/lib")).unwrap();
    let dir = fx.path("mnt");
    let out = Command::new("ocf-tester")
        .args(["-n", "fs", "-o", &format!("device={}", fx.dev())])
        .args([
            "-o",
            &format!("directory={dir}"),
            "-o",
            &format!("fstype={fstype}"),
        ])
        .arg(format!("{provider}/Filesystem"))
        .env("OCF_ROOT", &ocf_root)
        .env("HA_LOGFACILITY", "none")
        .output()
        .expect("ocf-tester");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "ocf-tester failed:\n{text}");
    assert!(text.contains("passed all tests"), "{text}");
    assert!(!is_mounted(&dir), "ocf-tester left the file system mounted");
}

#[test]
#[ignore = "needs root"]
fn ocf_tester_passes_on_ext4() {
    ocf_tester("ext4");
}

#[test]
#[ignore = "needs root"]
fn ocf_tester_passes_on_xfs() {
    ocf_tester("xfs");
}
