// SPDX-License-Identifier: GPL-2.0-or-later
//! Man pages (roff, section 7 like resource-agents' `ocf_heartbeat_*` pages), rendered by the
//! agent itself: `AGENT manpage`.

use crate::model::{Agent, Kind};
use rustha_support::roff::{escape as roff, escape_line};
use std::fmt::Write;

/// The man page `ocf_PROVIDER_NAME(7)`.
pub fn render(agent: &Agent, provider: &str) -> String {
    let mut m = String::new();
    let title = format!("ocf_{provider}_{}", agent.name);
    let _ = writeln!(
        m,
        ".TH {} 7 \"\" \"rustha {}\" \"OCF resource agents\"",
        escape_line(&title.to_uppercase()),
        escape_line(agent.version)
    );
    let _ = writeln!(
        m,
        ".SH NAME\n{} \\- {}",
        escape_line(&title),
        escape_line(agent.shortdesc)
    );
    let names: Vec<&str> = agent.actions.iter().map(|a| a.name).collect();
    let _ = writeln!(
        m,
        ".SH SYNOPSIS\n\\fB{}\\fR {{{}}}",
        escape_line(agent.name),
        escape_line(&names.join(" | "))
    );
    let _ = write!(m, ".SH DESCRIPTION\n{}", roff(agent.longdesc));
    let _ = writeln!(m, ".SH SUPPORTED PARAMETERS");
    for p in agent.parameters {
        let kind = match p.kind {
            Kind::String => "string".to_string(),
            Kind::Integer => "integer".to_string(),
            Kind::Boolean => "boolean".to_string(),
            Kind::Select(o) => o.join("|"),
        };
        let mut attrs = vec![kind];
        if let Some(d) = p.default {
            attrs.push(format!("default: {d:?}"));
        }
        if p.required {
            attrs.push("required".into());
        }
        if p.is_unique() {
            attrs.push("unique".into());
        }
        if p.reloadable {
            attrs.push("reloadable".into());
        }
        if let Some(new) = p.deprecated_for {
            attrs.push(if new.is_empty() {
                "deprecated".into()
            } else {
                format!("deprecated: use {new}")
            });
        }
        let _ = writeln!(
            m,
            ".TP\n\\fB{}\\fR ({})",
            escape_line(p.name),
            escape_line(&attrs.join(", "))
        );
        let _ = write!(m, "{}", roff(p.shortdesc));
        if !p.longdesc.trim().is_empty() {
            let _ = write!(m, ".br\n{}", roff(p.longdesc));
        }
    }
    let _ = writeln!(m, ".SH SUPPORTED ACTIONS");
    for a in agent.actions {
        let mut s = format!("timeout {}s", a.timeout);
        if let Some(i) = a.interval {
            let _ = write!(s, ", interval {i}s");
        }
        if let Some(d) = a.depth {
            let _ = write!(s, ", depth {d}");
        }
        if let Some(r) = a.role {
            let _ = write!(s, ", role {r}");
        }
        let _ = writeln!(
            m,
            ".TP\n\\fB{}\\fR\n{}",
            escape_line(a.name),
            escape_line(&s)
        );
    }
    let _ = write!(m, "{}", example(agent, provider));
    let mut see_also = vec![
        "crm(8)".to_string(),
        "pcs(8)".to_string(),
        format!("ocf_heartbeat_{}(7)", agent.name),
    ];
    see_also.extend(agent.see_also.iter().map(|s| s.to_string()));
    let refs: Vec<String> = see_also
        .iter()
        .map(|s| match s.split_once('(') {
            Some((page, sect)) => format!("\\fB{}\\fR({}", escape_line(page), sect),
            None => escape_line(s),
        })
        .collect();
    let _ = writeln!(m, ".SH SEE ALSO\n{}", refs.join(",\n"));
    let _ = writeln!(
        m,
        ".PP\nThe rustha administrator's guide (admin-guide.md): the probe policy and the stop rule."
    );
    m
}

/// The EXAMPLE section: a crm and a pcs line with the required parameters (and their example
/// values) and the default monitor operation.
fn example(agent: &Agent, provider: &str) -> String {
    let params: Vec<String> = agent
        .parameters
        .iter()
        .filter(|p| p.required || p.example.is_some())
        .filter(|p| p.deprecated_for.is_none())
        .map(|p| {
            let v = p.example.unwrap_or("VALUE");
            if v.contains([' ', '"']) || v.is_empty() {
                format!("{}=\"{}\"", p.name, v.replace('"', "\\\""))
            } else {
                format!("{}={v}", p.name)
            }
        })
        .collect();
    let params = params.join(" ");
    let rsc = format!("p_{}", agent.name);
    let monitor = agent.action("monitor");
    let (crm_op, pcs_op) = match monitor {
        Some(a) => {
            let interval = a.interval.unwrap_or(10);
            (
                format!(
                    " \\\n  op monitor interval={interval}s timeout={}s",
                    a.timeout
                ),
                format!(
                    " \\\n  op monitor interval={interval}s timeout={}s",
                    a.timeout
                ),
            )
        }
        None => (String::new(), String::new()),
    };
    let mut s = String::from(".SH EXAMPLE\n");
    let _ = writeln!(
        s,
        "The following configures a resource {} with the crm shell:",
        escape_line(&rsc)
    );
    let _ = writeln!(s, ".PP\n.nf");
    let _ = writeln!(
        s,
        "{}",
        verbatim(&format!(
            "crm configure primitive {rsc} ocf:{provider}:{} \\\n  params {params}{crm_op}",
            agent.name
        ))
    );
    let _ = writeln!(s, ".fi\n.PP\nThe same with pcs:\n.PP\n.nf");
    let _ = writeln!(
        s,
        "{}",
        verbatim(&format!(
            "pcs resource create {rsc} ocf:{provider}:{} \\\n  {params}{pcs_op}",
            agent.name
        ))
    );
    let _ = writeln!(s, ".fi");
    s
}

/// Lines for a `.nf` block: escaped, indentation kept (none of them starts with a request).
fn verbatim(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testdata::DUMMY;

    #[test]
    fn lists_every_parameter_and_action() {
        let m = render(&DUMMY, "rustha");
        assert!(m.starts_with(".TH OCF_RUSTHA_DUMMY 7"));
        for p in DUMMY.parameters {
            assert!(m.contains(&format!("\\fB{}\\fR (", p.name)), "{}", p.name);
        }
        assert!(m.contains("deprecated: use cidr_netmask"));
        assert!(m.contains("\\fBreload\\-agent\\fR"));
    }

    #[test]
    fn example_and_see_also() {
        let m = render(&DUMMY, "rustha");
        assert!(
            m.contains(
                "crm configure primitive p_Dummy ocf:rustha:Dummy \\e\n  params ip=10.0.0.1"
            ),
            "{m}"
        );
        assert!(m.contains("pcs resource create p_Dummy ocf:rustha:Dummy \\e\n  ip=10.0.0.1"));
        assert!(m.contains("op monitor interval=10s timeout=20s"));
        assert!(m.contains(".SH SEE ALSO\n\\fBcrm\\fR(8),\n\\fBpcs\\fR(8),\n\\fBocf_heartbeat_Dummy\\fR(7),\n\\fBip\\fR(8)"));
    }
}
