// SPDX-License-Identifier: GPL-2.0-or-later
//! `meta-data` XML.

use crate::model::{Agent, Kind, OcfVersion};
use std::fmt::Write;

/// Actions `ra-api-1.dtd` allows; others (`reload-agent`) are left out of OCF 1.0 output.
const DTD_ACTIONS: &[&str] = &[
    "start",
    "stop",
    "recover",
    "monitor",
    "restart",
    "migrate_to",
    "migrate_from",
    "promote",
    "demote",
    "notify",
    "status",
    "reload",
    "meta-data",
    "usage",
    "methods",
    "validate-all",
];

pub use rustha_support::text::xml_escape as escape;

/// The meta-data document for `agent` in the flavour `version` asks for.
pub fn render(agent: &Agent, version: OcfVersion) -> String {
    let v11 = version == OcfVersion::V1_1;
    let mut x = String::new();
    let _ = writeln!(x, "<?xml version=\"1.0\"?>");
    if !v11 {
        let _ = writeln!(x, "<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">");
    }
    let _ = writeln!(
        x,
        "<resource-agent name=\"{}\" version=\"{}\">",
        escape(agent.name),
        escape(agent.version)
    );
    let _ = writeln!(x, "<version>{}</version>", if v11 { "1.1" } else { "1.0" });
    let _ = writeln!(
        x,
        "<longdesc lang=\"en\">\n{}\n</longdesc>",
        escape(longdesc_or(agent.longdesc, agent.shortdesc))
    );
    let _ = writeln!(
        x,
        "<shortdesc lang=\"en\">{}</shortdesc>\n",
        escape(agent.shortdesc)
    );
    let _ = writeln!(x, "<parameters>");
    for p in agent.parameters {
        let mut attrs = format!(
            "name=\"{}\" unique=\"{}\" required=\"{}\"",
            escape(p.name),
            u8::from(p.is_unique()),
            u8::from(p.required)
        );
        // pcs reads unique-group (OCF 1.1), not the deprecated unique, to refuse duplicates.
        if let (true, Some(group)) = (v11, p.unique_group) {
            let _ = write!(attrs, " unique-group=\"{}\"", escape(group));
        }
        if v11 && p.reloadable {
            attrs.push_str(" reloadable=\"1\"");
        }
        let _ = writeln!(x, "<parameter {attrs}>");
        if v11 {
            if let Some(new) = p.deprecated_for {
                let _ = writeln!(x, "<deprecated>");
                if !new.is_empty() {
                    let _ = writeln!(x, "<replaced-with name=\"{}\"/>", escape(new));
                }
                let _ = writeln!(x, "</deprecated>");
            }
        }
        let mut longdesc = longdesc_or(p.longdesc, p.shortdesc).to_string();
        if !v11 {
            if let Some(new) = p.deprecated_for.filter(|n| !n.is_empty()) {
                let _ = write!(longdesc, " (Deprecated: use {new}.)");
            }
        }
        let _ = writeln!(
            x,
            "<longdesc lang=\"en\">\n{}\n</longdesc>",
            escape(&longdesc)
        );
        let _ = writeln!(
            x,
            "<shortdesc lang=\"en\">{}</shortdesc>",
            escape(p.shortdesc)
        );
        let default = p
            .default
            .map(|d| format!(" default=\"{}\"", escape(d)))
            .unwrap_or_default();
        match p.kind {
            Kind::Select(options) if v11 => {
                let _ = writeln!(x, "<content type=\"select\"{default}>");
                for o in options {
                    let _ = writeln!(x, "<option value=\"{}\" />", escape(o));
                }
                let _ = writeln!(x, "</content>");
            }
            kind => {
                let t = match kind {
                    Kind::Integer => "integer",
                    Kind::Boolean => "boolean",
                    _ => "string",
                };
                let _ = writeln!(x, "<content type=\"{t}\"{default} />");
            }
        }
        let _ = writeln!(x, "</parameter>\n");
    }
    let _ = writeln!(x, "</parameters>\n\n<actions>");
    for a in agent.actions {
        if !v11 && !DTD_ACTIONS.contains(&a.name) {
            continue;
        }
        let mut attrs = format!("name=\"{}\"", escape(a.name));
        if let Some(d) = a.depth {
            let _ = write!(attrs, " depth=\"{d}\"");
        }
        let _ = write!(attrs, " timeout=\"{}s\"", a.timeout);
        if let Some(i) = a.interval {
            let _ = write!(attrs, " interval=\"{i}s\"");
        }
        if let Some(r) = a.role {
            let r = match (v11, r) {
                (false, "Promoted") => "Master",
                (false, "Unpromoted") => "Slave",
                (true, "Master") => "Promoted",
                (true, "Slave") => "Unpromoted",
                (_, r) => r,
            };
            let _ = write!(attrs, " role=\"{r}\"");
        }
        let _ = writeln!(x, "<action {attrs} />");
    }
    let _ = writeln!(x, "</actions>\n</resource-agent>");
    x
}

fn longdesc_or<'a>(longdesc: &'a str, shortdesc: &'a str) -> &'a str {
    if longdesc.trim().is_empty() {
        shortdesc
    } else {
        longdesc.trim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testdata::DUMMY;

    #[test]
    fn ocf_1_0_follows_the_dtd() {
        let x = render(&DUMMY, OcfVersion::V1_0);
        assert!(x.contains("<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">"));
        assert!(x.contains("<version>1.0</version>"));
        assert!(!x.contains("reload-agent"));
        assert!(!x.contains("reloadable"));
        assert!(!x.contains("select"));
        assert!(!x.contains("<deprecated>"));
        assert!(!x.contains("unique-group"));
        assert!(x.contains("name=\"ip\" unique=\"1\" required=\"1\">"));
        assert!(x.contains("<content type=\"string\" default=\"fast\" />"));
        assert!(x.contains("role=\"Master\""));
        assert!(x.contains("shortdesc lang=\"en\">Example &amp; test agent<"));
        assert!(x.contains("An agent &lt;for&gt; tests."));
        assert!(
            x.contains("<action name=\"monitor\" depth=\"0\" timeout=\"20s\" interval=\"10s\" />")
        );
    }

    #[test]
    fn ocf_1_1_has_the_new_elements() {
        let x = render(&DUMMY, OcfVersion::V1_1);
        assert!(!x.contains("DOCTYPE"));
        assert!(x.contains("<version>1.1</version>"));
        assert!(x.contains("<action name=\"reload-agent\" timeout=\"20s\" />"));
        assert!(x.contains("name=\"mode\" unique=\"0\" required=\"0\" reloadable=\"1\""));
        assert!(x.contains("name=\"ip\" unique=\"1\" required=\"1\" unique-group=\"ip\">"));
        assert!(x.contains("<content type=\"select\" default=\"fast\">"));
        assert!(x.contains("<option value=\"slow\" />"));
        assert!(x.contains("<replaced-with name=\"cidr_netmask\"/>"));
        assert!(x.contains("role=\"Promoted\""));
    }

    #[test]
    fn version_from_environment() {
        assert_eq!(OcfVersion::from_env_values(None, None), OcfVersion::V1_0);
        assert_eq!(
            OcfVersion::from_env_values(Some("1"), Some("1")),
            OcfVersion::V1_1
        );
        assert_eq!(
            OcfVersion::from_env_values(Some("1"), Some("0")),
            OcfVersion::V1_0
        );
    }
}
