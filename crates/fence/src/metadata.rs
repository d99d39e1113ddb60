// SPDX-License-Identifier: GPL-2.0-or-later
//! fence-agents' meta-data XML, the man page, `--help`, and cluster-glue's `getinfo-xml`.

use crate::agent::AgentInfo;
use crate::options::{Kind, OptSpec};
use std::fmt::Write as _;

use crate::action::Action;

pub use rustha_support::text::xml_escape;

/// The options shown in meta-data, man page and help.
fn visible<A>(info: &AgentInfo<A>) -> impl Iterator<Item = &OptSpec> + '_ {
    info.options.iter().filter(|o| !o.hidden)
}

fn content(o: &OptSpec) -> String {
    let default = o
        .default
        .map(|d| format!(" default=\"{}\"", xml_escape(d)))
        .unwrap_or_default();
    match o.kind {
        Kind::Select(words) => {
            let mut s = format!("<content type=\"select\"{default} >\n");
            for w in words {
                let _ = writeln!(s, "\t\t\t<option value=\"{}\" />", xml_escape(w));
            }
            s.push_str("\t\t</content>");
            s
        }
        k => format!("<content type=\"{}\"{default}  />", k.content_type()),
    }
}

/// One `<parameter>` element per name (deprecated names first, then the canonical one with
/// `obsoletes`), sorted by name as fence-agents does.
fn parameters<A>(info: &AgentInfo<A>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for o in visible(info) {
        let body = |name: &str, extra: &str| {
            format!(
                "\t<parameter name=\"{}\" unique=\"0\" required=\"{}\"{extra}>\n\t\t<getopt mixed=\"{}\" />\n\t\t{}\n\t\t<shortdesc lang=\"en\">{}</shortdesc>\n\t</parameter>\n",
                xml_escape(name),
                o.required as u8,
                xml_escape(&o.getopt_mixed()),
                content(o),
                xml_escape(o.desc)
            )
        };
        for d in o.deprecated {
            out.push((d.to_string(), body(d, " deprecated=\"1\"")));
        }
        let extra = o
            .deprecated
            .first()
            .map(|d| format!(" obsoletes=\"{}\"", xml_escape(d)))
            .unwrap_or_default();
        out.push((o.name.to_string(), body(o.name, &extra)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The `metadata` action's output.
pub fn metadata_xml<A>(info: &AgentInfo<A>) -> String {
    let mut s = String::from("<?xml version=\"1.0\" ?>\n");
    let _ = writeln!(
        s,
        "<resource-agent name=\"{}\" shortdesc=\"{}\" >",
        xml_escape(info.name),
        xml_escape(info.shortdesc)
    );
    let _ = writeln!(s, "<longdesc>{}</longdesc>", xml_escape(info.longdesc));
    let _ = writeln!(
        s,
        "<vendor-url>{}</vendor-url>",
        xml_escape(info.vendor_url)
    );
    s.push_str("<parameters>\n");
    for (_, p) in parameters(info) {
        s.push_str(&p);
    }
    s.push_str("</parameters>\n<actions>\n");
    for a in Action::STANDARD {
        if !info.supports_list && matches!(a, Action::List | Action::ListStatus) {
            continue;
        }
        if a == Action::On {
            s.push_str("\t<action name=\"on\" automatic=\"0\"/>\n");
        } else {
            let _ = writeln!(s, "\t<action name=\"{a}\" />");
        }
    }
    // Extra actions a tool may schedule (fence_ipmilan lists `diag` last).
    for a in info.extra_actions.iter().filter(|a| a.in_metadata) {
        let _ = writeln!(s, "\t<action name=\"{}\" />", xml_escape(a.name));
    }
    s.push_str("</actions>\n</resource-agent>\n");
    s
}

/// cluster-glue's `getinfo-xml`: a `<parameters>` block for the plugin's configuration names.
pub fn plugin_xml<A>(info: &AgentInfo<A>) -> String {
    let mut s = String::from("<parameters>\n");
    s.push_str("<parameter name=\"hostlist\" unique=\"1\" required=\"0\">\n<content type=\"string\" />\n<shortdesc lang=\"en\">Hosts this device fences</shortdesc>\n<longdesc lang=\"en\">Space- or comma-separated host names, each optionally with its plug: host1:01 host2:02. Without it, the device's own list is used.</longdesc>\n</parameter>\n");
    for name in info.plugin_config {
        let Some(o) = info.options.iter().find(|o| o.name == name.name()) else {
            continue;
        };
        let _ = write!(
            s,
            "<parameter name=\"{}\" unique=\"0\" required=\"{}\">\n<content type=\"{}\"{} />\n<shortdesc lang=\"en\">{}</shortdesc>\n<longdesc lang=\"en\">{}{}</longdesc>\n</parameter>\n",
            xml_escape(o.name),
            o.required as u8,
            o.kind.content_type(),
            o.default
                .map(|d| format!(" default=\"{}\"", xml_escape(d)))
                .unwrap_or_default(),
            xml_escape(o.desc),
            xml_escape(o.desc),
            if o.deprecated.is_empty() {
                String::new()
            } else {
                format!(" (also accepted as: {})", xml_escape(&o.deprecated.join(", ")))
            },
        );
    }
    s.push_str("</parameters>\n");
    s
}

/// One line of man page text (rustha_support's roff escaper, shared with the OCF runtime).
fn roff(s: &str) -> String {
    rustha_support::roff::escape_line(s)
}

/// The `manpage` action's output (troff).
pub fn manpage<A>(info: &AgentInfo<A>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        ".TH {} 8 \"\" \"rustha {}\" \"Fence agents\"",
        info.name.to_uppercase(),
        info.version
    );
    let _ = writeln!(s, ".SH NAME\n{} \\- {}", info.name, roff(info.shortdesc));
    let _ = writeln!(s, ".SH SYNOPSIS\n.B {}\n[\\fIOPTION\\fR]...", info.name);
    let _ = writeln!(s, ".SH DESCRIPTION\n{}", roff(info.longdesc));
    let _ = writeln!(s, ".PP\n{} accepts options on the command line, or, when it has no command line arguments, as \\fIname=value\\fR lines on standard input (the Fence Agent API used by Pacemaker and fenced).", info.name);
    let _ = writeln!(s, "Vendor URL: {}", roff(info.vendor_url));
    s.push_str(".SH OPTIONS\n");
    for o in visible(info) {
        let _ = writeln!(s, ".TP\n.B {}\n{}", roff(&o.getopt_mixed()), roff(o.desc));
        let mut names = vec![o.name];
        names.extend(o.deprecated.iter().copied());
        let _ = writeln!(
            s,
            "(stdin: {}{}{})",
            roff(&names.join(", ")),
            o.default
                .map(|d| format!("; default {}", roff(d)))
                .unwrap_or_default(),
            if o.required { "; required" } else { "" }
        );
    }
    s.push_str(".SH ACTIONS\n");
    for a in Action::STANDARD {
        let _ = writeln!(s, ".TP\n\\fB{}\\fP", roff(a.name()));
    }
    for a in &info.extra_actions {
        let _ = writeln!(s, ".TP\n\\fB{}\\fP\n{}", roff(a.name), roff(a.desc));
    }
    s.push_str(".SH EXIT STATUS\n0 success (status: the plug is on); 1 failure (status: unknown); 2 status: the plug is off.\n");
    if !info.examples.is_empty() {
        s.push_str(".SH EXAMPLE\n.nf\n");
        for e in info.examples {
            let _ = writeln!(s, "{}", roff(e));
        }
        s.push_str(".fi\n");
    }
    s.push_str(".SH CLUSTER-GLUE\nCalled with a first argument of gethosts, on, off, reset, status, getconfignames or getinfo\\-*, the agent acts as a cluster\\-glue external/ STONITH plugin and reads its configuration from environment variables named as its parameters.\n");
    let mut see: Vec<&str> = vec!["stonith_admin(8)", "pcs(8)", "crm(8)"];
    see.extend(info.see_also.iter().copied());
    let _ = writeln!(s, ".SH SEE ALSO\n{}", roff(&see.join(", ")));
    s
}

/// `--help`.
pub fn usage<A>(info: &AgentInfo<A>) -> String {
    let mut s = format!(
        "{} - {}\n\nUsage: {} [OPTION]...\n   or: {} < key=value lines on stdin\n\nOptions:\n",
        info.name, info.shortdesc, info.name, info.name
    );
    for o in visible(info) {
        let mut line = format!("  {:<36} {}", o.getopt_mixed(), o.desc);
        if let Some(d) = o.default {
            let _ = write!(line, " (default {d})");
        }
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str(
        "\nA flag also takes a boolean: --quiet=0 (or no, off, false) turns off a flag whose default is on.\n",
    );
    s.push_str("\nActions: ");
    let mut all: Vec<&str> = Action::STANDARD.iter().map(|a| a.name()).collect();
    all.extend(info.extra_actions.iter().map(|a| a.name));
    s.push_str(&all.join(", "));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{common_options, opt};

    struct T;

    fn info() -> AgentInfo<T> {
        let mut options = common_options();
        const MODE: crate::options::Opt = crate::options::Opt::new("mode");
        options.push(OptSpec::new(MODE, Kind::Select(&["a", "b<"]), "Mode & more").default("a"));
        AgentInfo {
            name: "fence_test",
            shortdesc: "Fence agent for \"tests\"",
            longdesc: "Long <desc>",
            vendor_url: "http://example.com/?a=1&b=2",
            version: "0.1.0",
            options,
            extra_actions: vec![
                crate::agent::ExtraAction::new("diag", false, "NMI", |_, _, _| Ok(())).listed(),
                crate::agent::ExtraAction::new("admin_only", true, "x", |_, _, _| Ok(())),
            ],
            plugin_config: &[opt::IP, opt::USERNAME, opt::PASSWORD],
            supports_list: true,
            examples: &["pcs stonith create t fence_test ip=10.0.0.1 pcmk_host_list=node1"],
            see_also: &["fence_other(8)"],
        }
    }

    /// Issue 13 item 7: meta-data lists exactly what a tool should schedule: the standard
    /// actions and the extra ones declared `listed` (fence_ipmilan's diag), last.
    #[test]
    fn listed_extra_actions_in_metadata() {
        let x = metadata_xml(&info());
        assert!(
            x.contains(
                "\t<action name=\"validate-all\" />\n\t<action name=\"diag\" />\n</actions>"
            ),
            "{x}"
        );
        assert!(!x.contains("admin_only"), "{x}");
    }

    #[test]
    fn metadata_has_fence_agents_shape() {
        let x = metadata_xml(&info());
        assert!(x.starts_with("<?xml version=\"1.0\" ?>\n<resource-agent name=\"fence_test\" shortdesc=\"Fence agent for &quot;tests&quot;\" >"));
        assert!(x.contains("<parameter name=\"ip\" unique=\"0\" required=\"1\" obsoletes=\"ipaddr\">\n\t\t<getopt mixed=\"-a, --ip=[ip]\" />\n\t\t<content type=\"string\"  />\n\t\t<shortdesc lang=\"en\">IP address or hostname of fencing device</shortdesc>"), "{x}");
        assert!(
            x.contains("<parameter name=\"ipaddr\" unique=\"0\" required=\"1\" deprecated=\"1\">")
        );
        assert!(x.contains("<content type=\"second\" default=\"20\"  />"));
        assert!(x.contains("<action name=\"on\" automatic=\"0\"/>"));
        assert!(x.contains("<action name=\"list-status\" />"));
        assert!(x.contains("<option value=\"b&lt;\" />"));
        assert!(x.contains("<vendor-url>http://example.com/?a=1&amp;b=2</vendor-url>"));
        assert!(!x.contains("nodename"), "hidden options stay out");
        // Parameters are sorted by name.
        let names: Vec<&str> = x
            .match_indices("<parameter name=\"")
            .map(|(i, _)| {
                let rest = &x[i + 17..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert!(names.contains(&"port") && names.contains(&"plug"));
    }

    #[test]
    fn no_list_actions_without_list_support() {
        let mut i = info();
        i.supports_list = false;
        let x = metadata_xml(&i);
        assert!(!x.contains("\"list\""));
        assert!(!x.contains("list-status"));
    }

    #[test]
    fn manpage_and_usage_mention_every_visible_option() {
        let i = info();
        let m = manpage(&i);
        let u = usage(&i);
        assert!(m.starts_with(".TH FENCE_TEST 8"));
        assert!(
            m.contains(".SH EXAMPLE\n.nf\npcs stonith create t fence_test ip=10.0.0.1 pcmk_host_list=node1\n.fi\n"),
            "{m}"
        );
        assert!(
            m.ends_with(".SH SEE ALSO\nstonith_admin(8), pcs(8), crm(8), fence_other(8)\n"),
            "{m}"
        );
        for o in i.options.iter().filter(|o| !o.hidden) {
            assert!(u.contains(&o.getopt_mixed()), "{}", o.name);
            assert!(m.contains(&roff(&o.getopt_mixed())), "{}", o.name);
        }
        assert!(
            u.contains("--quiet=0"),
            "the tri-state flags are explained: {u}"
        );
        let p = plugin_xml(&i);
        assert!(p.starts_with("<parameters>") && p.contains("name=\"hostlist\""));
        assert!(p.contains("name=\"username\""));
    }
}
