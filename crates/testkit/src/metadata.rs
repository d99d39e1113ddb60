// SPDX-License-Identifier: GPL-2.0-or-later
//! What Pacemaker, pcs and ocf-tester read of an agent: its meta-data, validated by xmllint.

use std::io::Write;
use std::process::{Command, Stdio};

/// resource-agents' DTD, which ocf-tester validates OCF 1.0 meta-data against.
pub const RA_API_DTD: &str = "/usr/share/resource-agents/ra-api-1.dtd";
/// resource-agents' RELAX NG schema of agent meta-data.
pub const RA_METADATA_RNG: &str = "/usr/share/resource-agents/metadata.rng";

/// The meta-data `bin` prints with OCF_RA_VERSION_MAJOR/MINOR as given (None: not set).
pub fn meta_data(bin: &str, version: Option<(&str, &str)>) -> String {
    let mut c = Command::new(bin);
    c.arg("meta-data")
        .env_remove("OCF_RA_VERSION_MAJOR")
        .env_remove("OCF_RA_VERSION_MINOR");
    if let Some((major, minor)) = version {
        c.env("OCF_RA_VERSION_MAJOR", major)
            .env("OCF_RA_VERSION_MINOR", minor);
    }
    let out = c.output().expect("run the agent");
    assert!(out.status.success(), "{bin} meta-data failed");
    String::from_utf8(out.stdout).expect("UTF-8 meta-data")
}

/// `xmllint --dtdvalid ra-api-1.dtd` on `xml`: (valid, xmllint's messages).
pub fn dtd_valid(xml: &str) -> (bool, String) {
    xmllint(&["--dtdvalid", RA_API_DTD], RA_API_DTD, xml)
}

/// `xmllint --relaxng SCHEMA` on `xml`: (valid, xmllint's messages).
pub fn rng_valid(schema: &str, xml: &str) -> (bool, String) {
    xmllint(&["--relaxng", schema], schema, xml)
}

fn xmllint(how: &[&str], schema: &str, xml: &str) -> (bool, String) {
    assert!(
        std::path::Path::new(schema).exists(),
        "{schema} is missing (apt-get install resource-agents)"
    );
    let mut child = Command::new("xmllint")
        .arg("--noout")
        .args(how)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint (apt-get install libxml2-utils)");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(xml.as_bytes()).expect("write to xmllint");
    }
    let out = child.wait_with_output().expect("xmllint");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
