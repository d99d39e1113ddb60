// SPDX-License-Identifier: GPL-2.0-or-later
//! What pcs makes of our meta-data, checked with pcs's own parser (its RNG validation of OCF
//! 1.0 and 1.1 meta-data, its unique groups, the operations it would create). Issue 13 item 6:
//! pcs reads `unique-group` from OCF 1.1 meta-data to refuse a second resource with the same ip.
use rustha_testkit::metadata::meta_data;
use std::io::Write;
use std::process::{Command, Stdio};

const IPADDR2: &str = env!("CARGO_BIN_EXE_IPaddr2");
const IPADDR: &str = env!("CARGO_BIN_EXE_IPaddr");

/// pcs's parser on `xml`: (unique groups, actions), one per line.
fn pcs_view(name: &str, xml: &str) -> String {
    const SCRIPT: &str = r#"
import sys
from pcs.lib.resource_agent import xml as ra_xml, ocf_transform
from pcs.lib.resource_agent.types import ResourceAgentName
from pcs.lib.cib.resource.agent import get_default_operations
dom = ra_xml._metadata_xml_to_dom(sys.stdin.read())
md = ocf_transform.ocf_version_to_ocf_unified(
    ra_xml.parse_metadata(ResourceAgentName("ocf", "rustha", sys.argv[1]), dom))
print(sorted((k, sorted(v)) for k, v in md.unique_parameter_groups.items()))
print(sorted(op.name for op in get_default_operations(md)))
"#;
    // pcs runs under the system Python (its package is not on a pyenv path).
    let mut child = Command::new("/usr/bin/python3")
        .args(["-Es", "-c", SCRIPT, name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3 (pcs is installed by tools/install-deps.sh)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pcs rejects the meta-data of {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn pcs_accepts_the_meta_data_and_refuses_duplicate_addresses() {
    for (bin, name) in [(IPADDR2, "IPaddr2"), (IPADDR, "IPaddr")] {
        let v11 = pcs_view(name, &meta_data(bin, Some(("1", "1"))));
        let mut lines = v11.lines();
        assert_eq!(lines.next(), Some("[('ip', ['ip'])]"), "{name}: {v11}");
        // The operations pcs writes into the CIB: no status (an alias), no methods.
        let ops = lines.next().unwrap();
        assert!(
            ops.contains("'monitor'") && !ops.contains("'status'"),
            "{ops}"
        );
        assert!(!ops.contains("methods"), "{ops}");
        // OCF 1.0 meta-data: pcs derives the group from unique="1".
        let v10 = pcs_view(name, &meta_data(bin, Some(("1", "0"))));
        assert!(
            v10.starts_with("[('_pcs_unique_group_ip', ['ip'])]"),
            "{v10}"
        );
    }
}

/// Issue 13 item 9: `trace_ra`/`trace_file` are declared (pcs accepts them for ocf:rustha) and
/// `trace_ra=1` writes the invocation's trace where ocf-shellfuncs would:
/// `$HA_VARLIB/trace_ra/TYPE/INSTANCE.ACTION.DATE`, or `trace_file`.
#[test]
fn trace_ra_writes_a_trace_per_invocation() {
    let xml = meta_data(IPADDR2, Some(("1", "1")));
    for p in ["trace_ra", "trace_file"] {
        assert!(xml.contains(&format!("<parameter name=\"{p}\"")), "{p}");
    }
    let varlib = std::env::temp_dir().join(format!("rustha-trace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&varlib);
    let run = |extra: &[(&str, &str)]| {
        let mut c = Command::new(IPADDR2);
        c.arg("validate-all")
            .env("HA_VARLIB", &varlib)
            .env("OCF_RESOURCE_INSTANCE", "vip")
            .env("OCF_RESOURCE_TYPE", "IPaddr2")
            .env("OCF_RESKEY_ip", "127.0.0.9")
            .env("OCF_RESKEY_nic", "lo")
            .env("OCF_RESKEY_cidr_netmask", "8");
        for (k, v) in extra {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    assert!(run(&[]).status.success());
    assert!(!varlib.exists(), "a trace without trace_ra");
    let out = run(&[("OCF_RESKEY_trace_ra", "1")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = varlib.join("trace_ra/IPaddr2");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().to_string_lossy().into_owned();
    assert!(name.starts_with("vip.validate-all.20"), "{name}");
    let text = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(
        text.contains("DEBUG: trace of IPaddr2 validate-all for vip"),
        "{text}"
    );
    assert!(
        text.contains("validate-all exits 0 (OCF_SUCCESS) after"),
        "{text}"
    );
    // trace_file: an absolute path, appended to.
    let file = varlib.join("my.trace");
    let f = file.to_str().unwrap();
    run(&[("OCF_RESKEY_trace_ra", "yes"), ("OCF_RESKEY_trace_file", f)]);
    run(&[("OCF_RESKEY_trace_ra", "yes"), ("OCF_RESKEY_trace_file", f)]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("exits 0").count(), 2, "{text}");
    let _ = std::fs::remove_dir_all(&varlib);
}
