//! Man pages (roff, section 7 like resource-agents' `ocf_heartbeat_*` pages).

use crate::{Agent, Kind};
use std::fmt::Write;

fn roff(s: &str) -> String {
    let mut out = String::new();
    for line in s.trim().lines() {
        let line = line.trim().replace('\\', "\\\\");
        // A line starting with '.' or '\'' would be read as a request.
        if line.starts_with('.') || line.starts_with('\'') {
            out.push_str("\\&");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The man page `ocf_rustha_NAME(7)`.
pub fn render(agent: &Agent, provider: &str) -> String {
    let mut m = String::new();
    let title = format!("ocf_{provider}_{}", agent.name);
    let _ = writeln!(
        m,
        ".TH {} 7 \"\" \"rustha\" \"OCF resource agents\"",
        title.to_uppercase()
    );
    let _ = writeln!(m, ".SH NAME\n{title} \\- {}", roff(agent.shortdesc).trim());
    let _ = writeln!(
        m,
        ".SH SYNOPSIS\n\\fB{}\\fR [start | stop | monitor | validate-all | meta-data | ...]",
        agent.name
    );
    let _ = writeln!(m, ".SH DESCRIPTION\n{}", roff(agent.longdesc));
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
            attrs.push(format!("default: {d}"));
        }
        if p.required {
            attrs.push("required".into());
        }
        if p.unique {
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
        let _ = writeln!(m, ".TP\n\\fB{}\\fR ({})", p.name, attrs.join(", "));
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
        let _ = writeln!(m, ".TP\n\\fB{}\\fR\n{s}", a.name);
    }
    let _ = writeln!(
        m,
        ".SH EXAMPLE\ncrm configure primitive p_{name} ocf:{provider}:{name} ...\n.br\npcs resource create p_{name} ocf:{provider}:{name} ...",
        name = agent.name
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::DUMMY;

    #[test]
    fn lists_every_parameter_and_action() {
        let m = render(&DUMMY, "rustha");
        assert!(m.starts_with(".TH OCF_RUSTHA_DUMMY 7"));
        for p in DUMMY.parameters {
            assert!(m.contains(&format!("\\fB{}\\fR (", p.name)), "{}", p.name);
        }
        assert!(m.contains("deprecated: use cidr_netmask"));
        assert!(m.contains("\\fBreload-agent\\fR"));
    }
}
