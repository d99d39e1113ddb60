// SPDX-License-Identifier: GPL-2.0-or-later
//! LVM reports (`vgs`/`lvs`/`pvs --reportformat json`): every value is a string.

use crate::json::{self, Json};
use std::collections::BTreeMap;

/// One row of a report: field name → value.
pub type Row = BTreeMap<String, String>;

/// The rows of the `kind` section ("vg", "lv", "pv") of a JSON report. LVM writes
/// `{"report": [{"vg": [{...}, ...]}]}`, possibly with a "log" section beside it.
pub fn rows(text: &str, kind: &str) -> Result<Vec<Row>, String> {
    let Json::Object(top) = json::parse(text.trim())? else {
        return Err("not a JSON object".into());
    };
    let Some(Json::Array(reports)) = top.get("report") else {
        return Err("no \"report\" array".into());
    };
    let mut out = Vec::new();
    for r in reports {
        let Json::Object(r) = r else { continue };
        let Some(Json::Array(items)) = r.get(kind) else {
            continue;
        };
        for item in items {
            let Json::Object(fields) = item else { continue };
            out.push(
                fields
                    .iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Json::String(s) => s.clone(),
                            Json::Number(n) => n.to_string(),
                            Json::Bool(b) => b.to_string(),
                            _ => String::new(),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            );
        }
    }
    Ok(out)
}

/// A comma-separated LVM list field (`vg_tags`: "other,pacemaker") as a list.
pub fn list(field: &str) -> Vec<&str> {
    field
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dm::tests::fixture;

    #[test]
    fn vgs_recorded_in_the_vm() {
        let vgs = rows(&fixture("vgs-json"), "vg").unwrap();
        assert_eq!(vgs.len(), 2);
        let dash = &vgs[0];
        assert_eq!(dash["vg_name"], "vg-dash");
        assert_eq!(dash["vg_systemid"], "vm1");
        assert_eq!(list(&dash["vg_tags"]), ["other", "pacemaker"]);
        assert_eq!(dash["lv_count"], "1");
        assert_eq!(dash["vg_autoactivation"], "enabled");
        assert_eq!(vgs[1]["vg_lock_type"], "");
    }

    #[test]
    fn missing_pv_and_partial_lv() {
        let vgs = rows(&fixture("vgs-json-gone"), "vg").unwrap();
        assert_eq!(vgs[1]["vg_missing_pv_count"], "1");
        assert_eq!(vgs[1]["vg_attr"].as_bytes()[3], b'p');
        let lvs = rows(&fixture("lvs-json-gone"), "lv").unwrap();
        let lv2 = lvs.iter().find(|r| r["lv_name"] == "lv2").unwrap();
        assert_eq!(lv2["devices"], "[unknown](0)");
        assert_eq!(lv2["lv_attr"].as_bytes()[8], b'p');
    }

    #[test]
    fn other_sections_and_garbage() {
        let t = r#"{"report":[{"vg":[]}],"log":[{"log_seq_num":"1","log_message":"x"}]}"#;
        assert!(rows(t, "vg").unwrap().is_empty());
        assert!(rows("  Volume group \"x\" not found", "vg").is_err());
        assert!(rows("{}", "vg").is_err());
        assert_eq!(list(""), Vec::<&str>::new());
    }
}
