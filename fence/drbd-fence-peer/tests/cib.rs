// SPDX-License-Identifier: GPL-2.0-or-later
//! The handler's flow against Pacemaker's real cibadmin working on a CIB file (`CIB_file`), with
//! the DRBD state of output recorded from real DRBD 8.4 VMs (crates/drbd-status fixtures).
//! The handler in a real cluster runs in the VM lab scenarios.

use drbd_fence_peer::options::{Config, Mode};
use drbd_fence_peer::system::Real;
use drbd_fence_peer::{run, Cluster, DrbdEnv};
use drbd_status::fence::find_constraint;
use drbd_status::{events2, Resource};
use rustha_support::Deadline;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ID: &str = "drbd-fence-by-handler-r0-ms_drbd";

fn have_cibadmin() -> bool {
    Command::new("cibadmin")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn fixture(state: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/drbd-status/tests/fixtures/drbd84")
        .join(state)
        .join("events2-now");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Real cibadmin on a CIB file; the DRBD state from a recorded fixture.
struct Lab {
    real: Real,
    file: PathBuf,
    drbd: String,
    drbd_after: Option<String>,
    me: String,
    terminate_requested: bool,
}

impl Lab {
    fn new(name: &str, peer_state: &str, quorum: bool, drbd_state: &str) -> Lab {
        let dir =
            std::env::temp_dir().join(format!("rustha-fence-peer-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("cib.xml");
        std::fs::write(&file, cib(peer_state, quorum, "")).unwrap();
        Lab {
            real: Real {
                env: vec![("CIB_file".into(), file.display().to_string())],
            },
            file,
            drbd: fixture(drbd_state),
            drbd_after: None,
            me: "n1".into(),
            terminate_requested: false,
        }
    }

    fn constraints(&mut self) -> Option<drbd_status::fence::Constraint> {
        let cib = self
            .real
            .cib(&Deadline::after(Duration::from_secs(10)))
            .unwrap();
        find_constraint(&cib, ID).unwrap()
    }

    fn run(&mut self, mode: Mode, cfg: Config) -> u8 {
        let env = DrbdEnv {
            resource: Some("r0".into()),
            peers: vec!["n2".into()],
            ..DrbdEnv::default()
        };
        run(mode, &cfg, &env, self)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.file.parent().unwrap());
    }
}

impl Cluster for Lab {
    fn drbd_state(&mut self, resource: &str, _: &Deadline) -> Result<Resource, String> {
        let text = self.drbd.clone();
        if let Some(after) = self.drbd_after.take() {
            self.drbd = after;
        }
        events2::parse(&text, resource)
            .map(|p| p.resource)
            .map_err(|e| e.to_string())
    }
    fn cib(&mut self, d: &Deadline) -> Result<String, String> {
        self.real.cib(d)
    }
    fn create(&mut self, xml: &str, d: &Deadline) -> Result<(), String> {
        self.real.create(xml, d)
    }
    fn replace(&mut self, xml: &str, d: &Deadline) -> Result<(), String> {
        self.real.replace(xml, d)
    }
    fn delete(&mut self, xml: &str, d: &Deadline) -> Result<(), String> {
        self.real.delete(xml, d)
    }
    fn node_name(&mut self, _: &Deadline) -> String {
        self.me.clone()
    }
    fn request_terminate(&mut self, _: &str, _: &Deadline) -> Result<(), String> {
        self.terminate_requested = true;
        Ok(())
    }
}

fn cib(peer_state: &str, quorum: bool, constraints: &str) -> String {
    let peer = match peer_state {
        "fenced" => r#"in_ccm="false" crmd="offline" join="down" expected="down""#,
        "reachable" => r#"in_ccm="true" crmd="online" join="member" expected="member""#,
        _ => r#"in_ccm="false" crmd="offline" join="down" expected="member""#,
    };
    format!(
        r#"<cib validate-with="pacemaker-3.9" epoch="5" num_updates="0" admin_epoch="0" have-quorum="{}" dc-uuid="1">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources>
      <clone id="ms_drbd">
        <meta_attributes id="ms-meta"><nvpair id="m1" name="promotable" value="true"/></meta_attributes>
        <primitive id="drbd_r0" class="ocf" provider="rustha" type="drbd">
          <instance_attributes id="drbd_r0-ia"><nvpair id="drbd_r0-ia-r" name="drbd_resource" value="r0"/></instance_attributes>
        </primitive>
      </clone>
    </resources>
    <constraints>{constraints}</constraints>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="n2" {peer}/>
  </status>
</cib>"#,
        if quorum { 1 } else { 0 }
    )
}

fn quick() -> Config {
    Config {
        timeout: 10,
        dc_timeout: 3,
        ..Config::default()
    }
}

#[test]
fn peer_fenced_places_the_constraint_and_says_7() {
    if !have_cibadmin() {
        panic!("cibadmin (pacemaker-cli-utils) is not installed");
    }
    let mut lab = Lab::new("fenced", "fenced", true, "n1/wfconnection-primary");
    assert_eq!(lab.run(Mode::Fence, quick()), 7);
    let c = lab.constraints().expect("constraint placed");
    assert_eq!(c.rsc, "ms_drbd");
    assert_eq!(c.role, "Master");
    assert_eq!(c.score, "-INFINITY");
    assert_eq!(c.rule_id, "drbd-fence-by-handler-r0-rule-ms_drbd");
    assert!(c.allows("n1") && !c.allows("n2"));
    // again: idempotent, the same single constraint
    assert_eq!(lab.run(Mode::Fence, quick()), 7);
    let xml = std::fs::read_to_string(&lab.file).unwrap();
    assert_eq!(xml.matches(&format!("id=\"{ID}\"")).count(), 1);
}

#[test]
fn peer_reachable_means_4_and_role_option() {
    let mut lab = Lab::new("reachable", "reachable", true, "n1/wfconnection-primary");
    let cfg = Config {
        role: "Promoted".into(),
        ..quick()
    };
    assert_eq!(lab.run(Mode::Fence, cfg), 4);
    assert_eq!(lab.constraints().unwrap().role, "Promoted");
}

#[test]
fn outdated_local_disk_places_nothing() {
    let mut lab = Lab::new("outdated", "fenced", true, "n2/standalone-outdated");
    assert_eq!(lab.run(Mode::Fence, quick()), 5);
    assert!(lab.constraints().is_none());
}

#[test]
fn no_quorum_places_nothing_and_says_1() {
    let mut lab = Lab::new("noquorum", "fenced", false, "n1/wfconnection-primary");
    assert_eq!(lab.run(Mode::Fence, quick()), 1);
    assert!(lab.constraints().is_none());
}

#[test]
fn a_constraint_that_forbids_this_node_is_not_overridden() {
    let mut lab = Lab::new("forbids", "fenced", true, "n1/wfconnection-primary");
    let theirs = format!(
        r#"<rsc_location rsc="ms_drbd" id="{ID}"><rule role="Master" score="-INFINITY" id="r"><expression attribute="&#35;uname" operation="ne" value="n2" id="e"/></rule></rsc_location>"#
    );
    std::fs::write(&lab.file, cib("fenced", true, &theirs)).unwrap();
    let cfg = Config {
        suicide_on_failure_if_primary: true,
        ..quick()
    };
    assert_eq!(lab.run(Mode::Fence, cfg), 1);
    assert!(
        lab.terminate_requested,
        "a Primary that failed to fence asks to be terminated"
    );
    let c = lab.constraints().unwrap();
    assert!(c.allows("n2") && !c.allows("n1"));
}

#[test]
fn unknown_peer_is_waited_for_until_the_timeout_then_5() {
    let mut lab = Lab::new("unknown", "unclean", true, "n1/wfconnection-primary");
    let start = Instant::now();
    assert_eq!(
        lab.run(
            Mode::Fence,
            Config {
                timeout: 5,
                dc_timeout: 2,
                ..Config::default()
            }
        ),
        5
    );
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(7),
        "took {took:?}"
    );
    assert!(lab.constraints().unwrap().allows("n1"));
}

#[test]
fn peer_back_and_uptodate_meanwhile_removes_it_again() {
    let mut lab = Lab::new("back", "reachable", true, "n1/wfconnection-primary");
    lab.drbd_after = Some(fixture("n1/connected-uptodate"));
    assert_eq!(lab.run(Mode::Fence, quick()), 1);
    assert!(lab.constraints().is_none());
}

#[test]
fn no_promotable_clone_means_1() {
    let mut lab = Lab::new("noclone", "fenced", true, "n1/wfconnection-primary");
    let env = DrbdEnv {
        resource: Some("other".into()),
        ..DrbdEnv::default()
    };
    assert_eq!(run(Mode::Fence, &quick(), &env, &mut lab), 1);
    assert_eq!(run(Mode::Fence, &quick(), &DrbdEnv::default(), &mut lab), 1);
}

#[test]
fn unfence_removes_only_when_everything_is_uptodate() {
    let mut lab = Lab::new("unfence", "reachable", true, "n1/wfconnection-primary");
    assert_eq!(lab.run(Mode::Fence, quick()), 4);
    lab.drbd = fixture("n1/sync-early");
    assert_eq!(lab.run(Mode::Unfence, quick()), 0);
    assert!(
        lab.constraints().is_some(),
        "kept while the peer is still syncing"
    );
    // the peer's node with --unfence-only-if-owner-match keeps it
    lab.drbd = fixture("n2/connected-uptodate");
    lab.me = "n2".into();
    let owner = Config {
        unfence_only_if_owner_match: true,
        ..quick()
    };
    assert_eq!(lab.run(Mode::Unfence, owner), 0);
    assert!(lab.constraints().is_some());
    assert_eq!(lab.run(Mode::Unfence, quick()), 0);
    assert!(
        lab.constraints().is_none(),
        "removed once all disks are UpToDate"
    );
    assert_eq!(
        lab.run(Mode::Unfence, quick()),
        0,
        "nothing to remove is fine"
    );
}

#[test]
fn drbd9_environment_allows_every_uptodate_node() {
    let mut lab = Lab::new("nine", "reachable", true, "n1/wfconnection-primary");
    let env = DrbdEnv::from_vars(
        [
            ("DRBD_RESOURCE", "r0"),
            ("DRBD_MY_NODE_ID", "0"),
            ("DRBD_NODE_ID_0", "n1"),
            ("DRBD_NODE_ID_1", "n2"),
            ("DRBD_NODE_ID_2", "n3"),
            ("UP_TO_DATE_NODES", "0x5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    // n2 is reachable, n3 not in the CIB: unknown, wait the short timeout
    assert_eq!(
        run(
            Mode::Fence,
            &Config {
                timeout: 3,
                ..quick()
            },
            &env,
            &mut lab
        ),
        5
    );
    let c = lab.constraints().unwrap();
    assert!(c.allows("n1") && c.allows("n3") && !c.allows("n2"));
    let xml = std::fs::read_to_string(&lab.file).unwrap();
    assert!(
        xml.contains("drbd-fence-by-handler-r0-expr-2-ms_drbd"),
        "{xml}"
    );
}

#[test]
fn the_program_refuses_bad_options_and_a_missing_resource() {
    let bin = env!("CARGO_BIN_EXE_rustha-fence-peer");
    let out = Command::new(bin)
        .arg("--timeout=x")
        .env_remove("DRBD_RESOURCE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--timeout=\"x\": expected seconds"), "{err}");
    let out = Command::new(bin)
        .args(["--lock-file", "NONE", "--logfacility", "none"])
        .env_remove("DRBD_RESOURCE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DRBD_RESOURCE is not set"));
    let out = Command::new(env!("CARGO_BIN_EXE_rustha-unfence-peer"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("unfence-peer handler"));
}
