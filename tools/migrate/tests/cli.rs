// SPDX-License-Identifier: GPL-2.0-or-later
//! rustha-migrate as a user runs it: the seeds' configurations, Debian heartbeat's sample
//! haresources and ha.cf (with their examples switched on), a cluster.conf like the Node Assassin
//! seed's. Every run goes through crm_verify on a scratch CIB (pacemaker-cli-utils).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_rustha-migrate")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rustha-migrate-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run rustha-migrate, expect exit `code` and crm_verify's approval; its stdout and stderr.
fn migrate(args: &[&str], code: i32) -> (String, String) {
    let o = run(args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(code), "{out}\n{err}");
    assert!(err.contains("crm_verify accepts it"), "{err}");
    (out, err)
}

fn assert_has_all(out: &str, wants: &[&str]) {
    for want in wants {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}

/// The seeds' haresources lines (as in the heartbeat lab) with an ha.cf like the lab's.
const SEED_HARESOURCES: &str = "node1 IPaddr::10.250.7.3/27/10.250.7.31 IPaddr2::10.250.7.4/27/eth0\nnode1 10.250.7.100 Filesystem::/dev/loop0::/srv/data::ext4::noatime\n";
const SEED_HA_CF: &str = "keepalive 1\ndeadtime 5\ninitdead 10\nucast eth0 10.250.7.2\nauto_failback off\ncrm off\nnode node1\nnode node2\nstonith_host * external/fence_na node1:01,node2:02 10.250.7.200 238 hacluster n0tshown /etc/na/fence_na.conf\n";

#[test]
fn seed_haresources_crm() {
    let d = tmpdir("seed");
    std::fs::write(d.join("haresources"), SEED_HARESOURCES).unwrap();
    std::fs::write(d.join("ha.cf"), SEED_HA_CF).unwrap();
    let (out, err) = migrate(
        &[
            "haresources",
            "--ha-cf",
            d.join("ha.cf").to_str().unwrap(),
            d.join("haresources").to_str().unwrap(),
        ],
        0,
    );
    assert_has_all(
        &out,
        &[
        "primitive ip_10_250_7_3 ocf:rustha:IPaddr \\\n    params ip=10.250.7.3 cidr_netmask=27 broadcast=10.250.7.31",
        "primitive ip_10_250_7_4 ocf:rustha:IPaddr2 \\\n    params ip=10.250.7.4 cidr_netmask=27 nic=eth0",
        "primitive fs_srv_data ocf:rustha:Filesystem \\\n    params device=/dev/loop0 directory=/srv/data fstype=ext4 options=noatime",
        "primitive st_fence_na stonith:fence_na \\\n    params ip=10.250.7.200 ipport=238 username=hacluster password=n0tshown config=/etc/na/fence_na.conf pcmk_host_map=\"node1:01;node2:02\"",
        "group group_ip_10_250_7_3 ip_10_250_7_3 ip_10_250_7_4\n",
        "group group_ip_10_250_7_100 ip_10_250_7_100 fs_srv_data\n",
        "location loc_group_ip_10_250_7_3_node1 group_ip_10_250_7_3 100: node1\n",
        "rsc_defaults resource-stickiness=200\n",
        "property stonith-enabled=true\n",
        "# note: ha.cf:2 deadtime 5 → corosync.conf: totem { token: 5000 }",
        ],
    );
    assert!(
        !err.contains("n0tshown"),
        "the password leaked to stderr: {err}"
    );
    // the same through --cib is a CIB crm_verify accepts
    let o = run(&[
        "haresources",
        "--cib",
        "--ha-cf",
        d.join("ha.cf").to_str().unwrap(),
        d.join("haresources").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    std::fs::write(d.join("cib.xml"), &o.stdout).unwrap();
    let v = Command::new("crm_verify")
        .args(["--xml-file", d.join("cib.xml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", text(&v.stderr));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn seed_haresources_pcs_keeps_the_password_off_command_lines() {
    let d = tmpdir("pcs");
    std::fs::write(d.join("haresources"), SEED_HARESOURCES).unwrap();
    std::fs::write(d.join("ha.cf"), SEED_HA_CF).unwrap();
    let o = run(&[
        "haresources",
        "--pcs",
        "--ha-cf",
        d.join("ha.cf").to_str().unwrap(),
        d.join("haresources").to_str().unwrap(),
    ]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(out.contains("pcs resource create ip_10_250_7_3 ocf:rustha:IPaddr ip=10.250.7.3 cidr_netmask=27 broadcast=10.250.7.31 op monitor interval=10s timeout=20s --group group_ip_10_250_7_3 --force\n"), "{out}");
    assert!(out.contains("pcs constraint location add loc_group_ip_10_250_7_3_node1 group_ip_10_250_7_3 node1 100\n"), "{out}");
    for l in out.lines().filter(|l| l.starts_with("pcs ")) {
        assert!(!l.contains("n0tshown"), "password on a command line: {l}");
    }
    assert!(
        out.contains("cibadmin --modify --xml-pipe <<'EOF'\n<primitive id=\"st_fence_na\">"),
        "{out}"
    );
    assert!(out.contains("name=\"password\" value=\"n0tshown\""));
    let _ = std::fs::remove_dir_all(&d);
}

/// Debian's sample files with their commented examples switched on.
fn debian_samples(d: &Path) -> (PathBuf, PathBuf) {
    let hr = std::fs::read_to_string(data("debian-haresources")).unwrap();
    let hr: String = hr
        .lines()
        .map(|l| {
            if l.starts_with("#just.linux-ha.org") || l.starts_with("#node1 ") {
                &l[1..]
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let cf = std::fs::read_to_string(data("debian-ha.cf")).unwrap();
    let on = [
        "#keepalive 2",
        "#deadtime 30",
        "#warntime 10",
        "#initdead 120",
        "#ucast eth0",
        "#stonith_host",
        "#watchdog",
        "#node\t",
        "#ping 10",
        "#respawn hacluster",
    ];
    let cf: String = cf
        .lines()
        .map(|l| {
            if on.iter().any(|p| l.starts_with(p)) {
                &l[1..]
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(d.join("haresources"), hr).unwrap();
    std::fs::write(d.join("ha.cf"), cf).unwrap();
    (d.join("haresources"), d.join("ha.cf"))
}

#[test]
fn debian_samples_translate_and_list_the_rest() {
    // our copies are Debian's files (when heartbeat is installed here)
    for (ours, theirs) in [
        ("debian-haresources", "haresources.gz"),
        ("debian-ha.cf", "ha.cf.gz"),
    ] {
        let p = Path::new("/usr/share/doc/heartbeat").join(theirs);
        if p.exists() {
            let z = Command::new("zcat").arg(&p).output().unwrap();
            assert_eq!(
                text(&z.stdout),
                std::fs::read_to_string(data(ours)).unwrap(),
                "{ours} differs from {}",
                p.display()
            );
        }
    }
    let d = tmpdir("debian");
    let (hr, cf) = debian_samples(&d);
    // translated and verified, with the items heartbeat-only listed: exit 3
    let (out, err) = migrate(
        &[
            "haresources",
            "--init",
            "lsb",
            "--ha-cf",
            cf.to_str().unwrap(),
            hr.to_str().unwrap(),
        ],
        3,
    );
    assert_has_all(
        &out,
        &[
        "primitive ip_135_9_216_3 ocf:rustha:IPaddr \\\n    params ip=135.9.216.3 cidr_netmask=28 nic=eth0 broadcast=135.9.216.12",
        "primitive httpd lsb:httpd",
        "primitive fs_data1 ocf:rustha:Filesystem \\\n    params device=/dev/sda1 directory=/data1 fstype=ext2",
        "group group_ip_135_9_216_110-2 ip_135_9_216_110-2 http\n",
        "location loc_group_ip_10_0_0_170_node1 group_ip_10_0_0_170 100: node1\n",
        "primitive st_baytech stonith:baytech \\\n    params ipaddr=10.0.0.3 login=mylogin password=mysecretpassword",
        "location loc_st_rps10_only_ken3 st_rps10 rule -inf: #uname ne ken3\n",
        "rsc_defaults resource-stickiness=0\n",
        "property stonith-enabled=true\n",
        ],
    );
    for listed in [
        "watchdog /dev/watchdog",
        "ping 10.10.10.254",
        "respawn hacluster /usr/lib/heartbeat/ipfail",
    ] {
        assert!(
            err.contains("NOT TRANSLATED ha.cf:") && err.contains(listed),
            "{listed} not listed: {err}"
        );
        assert!(out.contains(listed), "{listed} not in the output's header");
    }
    assert!(!err.contains("mysecretpassword"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn node_assassin_cluster_conf() {
    let (out, err) = migrate(&["cluster-conf", data("cluster.conf").to_str().unwrap()], 0);
    assert_has_all(
        &out,
        &[
        "primitive fence_motoko stonith:fence_na \\\n    params ip=10.250.3.200 ipport=238 username=motoko password=secret pcmk_host_map=\"node1:01;node2:02\" pcmk_reboot_action=off",
        "primitive fs_data ocf:rustha:Filesystem \\\n    params device=/dev/loop7 directory=/srv/data fstype=ext4 options=noatime force_unmount=true",
        "primitive ip_10_250_3_60 ocf:rustha:IPaddr2 \\\n    params ip=10.250.3.60 cidr_netmask=24",
        "group web fs_data ip_10_250_3_60",
        "group db ip_10_250_3_61",
        "location loc_web_node1 web 100: node1\n",
        "location loc_web_node2 web 99: node2\n",
        "location loc_db_node2 db 100: node2\n",
        "property stonith-enabled=true\n",
        ],
    );
    assert!(!err.contains("secret"), "{err}");
}

#[test]
fn crm_verify_failure_is_a_failure() {
    // a crm_verify that rejects everything: nothing on stdout, exit 1, its words on stderr
    let d = tmpdir("reject");
    let fake = d.join("crm_verify");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'error: unpack_resources: Resource start-up disabled' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(d.join("haresources"), SEED_HARESOURCES).unwrap();
    let path = format!(
        "{}:{}",
        d.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new(bin())
        .env("PATH", &path)
        .args(["haresources", d.join("haresources").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr)
            .contains("crm_verify rejected the result (exit 1): error: unpack_resources"),
        "{}",
        text(&o.stderr)
    );
    // --no-verify prints, and says it is unchecked
    let o = Command::new(bin())
        .env("PATH", &path)
        .args([
            "haresources",
            "--no-verify",
            d.join("haresources").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("# note: not checked with crm_verify (--no-verify)"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_input_never_panics() {
    let d = tmpdir("bad");
    for (name, body) in [
        ("empty", ""),
        ("binary", "\u{1}\u{2}node1 \u{7f}::::\n"),
        ("xml", "<cluster><x>"),
    ] {
        std::fs::write(d.join(name), body).unwrap();
        for mode in ["haresources", "cluster-conf"] {
            let o = run(&[mode, d.join(name).to_str().unwrap()]);
            let c = o.status.code();
            assert!(
                matches!(c, Some(0 | 1 | 3)),
                "{mode} {name}: {c:?} {}",
                text(&o.stderr)
            );
        }
    }
    std::fs::write(d.join("nonutf8"), [0xffu8, 0xfe, b'\n']).unwrap();
    let o = run(&["haresources", d.join("nonutf8").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("not UTF-8"));
    let o = run(&["haresources", "/nonexistent/haresources"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn drbddisk_becomes_a_promotable_clone_crm_verify_accepts() {
    let d = tmpdir("drbd");
    std::fs::write(
        d.join("haresources"),
        "node1 drbddisk::r0 LVM::vg0 Filesystem::/dev/vg0/data::/srv/data::ext4 10.0.0.5/24 httpd\n",
    )
    .unwrap();
    std::fs::write(
        d.join("ha.cf"),
        "node node1\nnode node2\nauto_failback off\nstonith_host node2 external/ipmi node1 10.0.0.101 admin pw lanplus\nstonith_host node1 external/ipmi node2 10.0.0.102 admin pw lanplus\n",
    )
    .unwrap();
    let (out, _) = migrate(
        &[
            "haresources",
            "--init",
            "systemd",
            "--ha-cf",
            d.join("ha.cf").to_str().unwrap(),
            d.join("haresources").to_str().unwrap(),
        ],
        0,
    );
    assert_has_all(
        &out,
        &[
        "primitive drbd_r0 ocf:rustha:drbd \\\n    params drbd_resource=r0 \\\n    op monitor interval=29s timeout=20s role=Promoted \\\n    op monitor interval=31s timeout=20s role=Unpromoted\n",
        "clone drbd_r0-clone drbd_r0 \\\n    meta promotable=true promoted-max=1 promoted-node-max=1 clone-max=2 clone-node-max=1 notify=true\n",
        "group group_lvm_vg0 lvm_vg0 fs_srv_data ip_10_0_0_5 httpd\n",
        "order order_drbd_r0-clone_before_group_lvm_vg0 Mandatory: drbd_r0-clone:promote group_lvm_vg0:start\n",
        "colocation colocation_group_lvm_vg0_with_drbd_r0-clone inf: group_lvm_vg0 drbd_r0-clone:Promoted\n",
        "primitive httpd systemd:httpd",
        "primitive st_ipmi_node1 stonith:fence_ipmilan_rs \\\n    params ip=10.0.0.101 username=admin password=pw lanplus=1 pcmk_host_list=node1",
        "location loc_st_ipmi_node1_only_node2 st_ipmi_node1 rule -inf: #uname ne node2\n",
        "location loc_st_ipmi_node1_not_node1 st_ipmi_node1 -INFINITY: node1\n",
        "rsc_defaults resource-stickiness=200\n",
        ],
    );
    let _ = std::fs::remove_dir_all(&d);
}
