// SPDX-License-Identifier: GPL-2.0-or-later
//! Renderers of a [`Config`]: `crm configure` text, `pcs` commands, and the CIB `<configuration>`
//! that `crm_verify` checks. All three print the same ids, so the checked CIB is what the text makes.

use crate::model::{is_secret, Config, Constraint, Primitive};
use std::fmt::Write;

/// The header every text output starts with: origin, untranslated items, notes (as comments).
fn header(c: &Config, out: &mut String) {
    let _ = writeln!(
        out,
        "# Pacemaker configuration from {} (rustha-migrate)",
        c.origin
    );
    if !c.untranslated.is_empty() {
        let _ = writeln!(
            out,
            "# NOT TRANSLATED ({}): configure these by hand",
            c.untranslated.len()
        );
        for u in &c.untranslated {
            let _ = writeln!(
                out,
                "#   {}: {}: {}",
                u.source,
                one_line(&u.item),
                one_line(&u.reason)
            );
        }
    }
    for n in &c.notes {
        let _ = writeln!(out, "# note: {}", one_line(n));
    }
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// crm configure

/// A crm value: bare when it needs no quoting, else in double quotes with `\` and `"` escaped.
fn crm_value(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:,@%+=".contains(c))
    {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn crm_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crm_value(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn crm_primitive(p: &Primitive, out: &mut String) {
    let _ = write!(out, "primitive {} {}", p.id, p.agent);
    if !p.params.is_empty() {
        let _ = write!(out, " \\\n    params {}", crm_pairs(&p.params));
    }
    if !p.meta.is_empty() {
        let _ = write!(out, " \\\n    meta {}", crm_pairs(&p.meta));
    }
    for o in &p.ops {
        let _ = write!(out, " \\\n    op {}", o.words());
    }
    out.push('\n');
}

/// `crm configure load update FILE` text.
pub fn crm(c: &Config) -> String {
    let mut out = String::new();
    header(c, &mut out);
    for (k, v) in &c.properties {
        let _ = writeln!(out, "property {k}={}", crm_value(v));
    }
    for (k, v) in &c.rsc_defaults {
        let _ = writeln!(out, "rsc_defaults {k}={}", crm_value(v));
    }
    for p in &c.primitives {
        crm_primitive(p, &mut out);
    }
    for g in &c.groups {
        let _ = write!(out, "group {} {}", g.id, g.members.join(" "));
        if !g.meta.is_empty() {
            let _ = write!(out, " \\\n    meta {}", crm_pairs(&g.meta));
        }
        out.push('\n');
    }
    for p in &c.promotables {
        let _ = writeln!(
            out,
            "clone {} {} \\\n    meta {}",
            p.id,
            p.rsc,
            crm_pairs(&p.meta)
        );
    }
    for k in &c.constraints {
        match k {
            Constraint::Location {
                id,
                rsc,
                node,
                score,
            } => {
                let _ = writeln!(out, "location {id} {rsc} {score}: {node}");
            }
            Constraint::OnlyOn { id, rsc, nodes } => {
                let cond = nodes
                    .iter()
                    .map(|n| format!("#uname ne {n}"))
                    .collect::<Vec<_>>()
                    .join(" and ");
                let _ = writeln!(out, "location {id} {rsc} rule -inf: {cond}");
            }
            Constraint::PromoteBeforeStart { id, first, then } => {
                let _ = writeln!(out, "order {id} Mandatory: {first}:promote {then}:start");
            }
            Constraint::WithPromoted { id, rsc, with } => {
                let _ = writeln!(out, "colocation {id} inf: {rsc} {with}:Promoted");
            }
        }
    }
    if !c.fencing_levels.is_empty() {
        let mut line = String::from("fencing_topology");
        let mut targets: Vec<&str> = Vec::new();
        for l in &c.fencing_levels {
            if !targets.contains(&l.target.as_str()) {
                targets.push(&l.target);
            }
        }
        for t in targets {
            let _ = write!(line, " \\\n    {t}:");
            for l in c.fencing_levels.iter().filter(|l| l.target == t) {
                let _ = write!(line, " {}", l.devices.join(","));
            }
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// pcs

/// A shell word: bare when safe, else single-quoted.
fn sh(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:,@%+=".contains(c))
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

fn sh_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| sh(&format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if c.is_control() && c != '\t' => {}
            c => o.push(c),
        }
    }
    o
}

/// `pcs` commands, one per line, for a shell. Secrets (passwords) never go on a command line:
/// they are set afterwards by `cibadmin --modify --xml-pipe` from a here-document.
pub fn pcs(c: &Config) -> String {
    let mut out = String::new();
    header(c, &mut out);
    out.push_str("set -e\n");
    for (k, v) in &c.properties {
        let _ = writeln!(out, "pcs property set {}", sh(&format!("{k}={v}")));
    }
    if !c.rsc_defaults.is_empty() {
        let _ = writeln!(
            out,
            "pcs resource defaults update {}",
            sh_pairs(&c.rsc_defaults)
        );
    }
    let promotable_of = |id: &str| c.promotables.iter().find(|p| p.rsc == id);
    let group_of = |id: &str| c.groups.iter().find(|g| g.members.iter().any(|m| m == id));
    let mut secrets: Vec<(&Primitive, Vec<&(String, String)>)> = Vec::new();
    for p in &c.primitives {
        let (public, secret): (Vec<_>, Vec<_>) = p.params.iter().partition(|(k, _)| !is_secret(k));
        let public: Vec<(String, String)> = public.into_iter().cloned().collect();
        let mut cmd = if p.agent.is_stonith() {
            format!("pcs stonith create {} {}", p.id, sh(p.agent.kind()))
        } else {
            format!("pcs resource create {} {}", p.id, sh(&p.agent.to_string()))
        };
        if !public.is_empty() {
            let _ = write!(cmd, " {}", sh_pairs(&public));
        }
        for o in &p.ops {
            let _ = write!(cmd, " op {}", o.words());
        }
        if !p.meta.is_empty() {
            let _ = write!(cmd, " meta {}", sh_pairs(&p.meta));
        }
        if let Some(pr) = promotable_of(&p.id) {
            // `promotable` makes the clone `<id>-clone` and sets promotable=true itself
            let meta: Vec<(String, String)> = pr
                .meta
                .iter()
                .filter(|(k, _)| k != "promotable")
                .cloned()
                .collect();
            let _ = write!(cmd, " promotable {}", sh_pairs(&meta));
        }
        if let Some(g) = group_of(&p.id) {
            let _ = write!(cmd, " --group {}", g.id);
        }
        // pcs checks parameters against the agent's meta-data; the agents may be installed only
        // on the nodes, not where this runs.
        cmd.push_str(" --force");
        let _ = writeln!(out, "{cmd}");
        if !secret.is_empty() {
            secrets.push((p, secret));
        }
    }
    for g in &c.groups {
        if !g.meta.is_empty() {
            let _ = writeln!(out, "pcs resource meta {} {}", g.id, sh_pairs(&g.meta));
        }
    }
    for (p, secret) in secrets {
        let _ = writeln!(
            out,
            "# {}'s secrets, kept off every command line:\ncibadmin --modify --xml-pipe <<'EOF'\n<primitive id=\"{}\"><instance_attributes id=\"{}-instance_attributes\">",
            p.id, p.id, p.id
        );
        for (k, v) in secret {
            let _ = writeln!(
                out,
                "<nvpair id=\"{}-instance_attributes-{}\" name=\"{}\" value=\"{}\"/>",
                p.id,
                k,
                k,
                xml_escape(v)
            );
        }
        out.push_str("</instance_attributes></primitive>\nEOF\n");
    }
    for k in &c.constraints {
        match k {
            Constraint::Location {
                id,
                rsc,
                node,
                score,
            } => {
                // a negative score after `--`, or pcs reads it as options
                let sep = if score.starts_with('-') { "-- " } else { "" };
                let _ = writeln!(
                    out,
                    "pcs constraint location add {id} {rsc} {node} {sep}{}",
                    sh(score)
                );
            }
            Constraint::OnlyOn { id, rsc, nodes } => {
                let cond = nodes
                    .iter()
                    .map(|n| format!("'#uname' ne {}", sh(n)))
                    .collect::<Vec<_>>()
                    .join(" and ");
                let _ = writeln!(
                    out,
                    "pcs constraint location {rsc} rule id={id}-rule constraint-id={id} score=-INFINITY {cond}"
                );
            }
            Constraint::PromoteBeforeStart { id, first, then } => {
                let _ = writeln!(
                    out,
                    "pcs constraint order promote {first} then start {then} kind=Mandatory id={id}"
                );
            }
            Constraint::WithPromoted { id, rsc, with } => {
                let _ = writeln!(
                    out,
                    "pcs constraint colocation add {rsc} with Promoted {with} INFINITY id={id}"
                );
            }
        }
    }
    for l in &c.fencing_levels {
        let _ = writeln!(
            out,
            "pcs stonith level add {} {} {}",
            l.index,
            sh(&l.target),
            l.devices.join(" ")
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// CIB

fn nvpairs(out: &mut String, elem: &str, owner: &str, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        return;
    }
    let set = format!("{owner}-{elem}");
    let _ = writeln!(out, "<{elem} id=\"{set}\">");
    for (k, v) in pairs {
        let _ = writeln!(
            out,
            "<nvpair id=\"{set}-{k}\" name=\"{k}\" value=\"{}\"/>",
            xml_escape(v)
        );
    }
    let _ = writeln!(out, "</{elem}>");
}

fn cib_primitive(p: &Primitive, out: &mut String) {
    let provider = p
        .agent
        .provider()
        .map(|v| format!(" provider=\"{v}\""))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<primitive id=\"{}\" class=\"{}\"{provider} type=\"{}\">",
        p.id,
        p.agent.class(),
        xml_escape(p.agent.kind())
    );
    nvpairs(out, "instance_attributes", &p.id, &p.params);
    nvpairs(out, "meta_attributes", &p.id, &p.meta);
    if !p.ops.is_empty() {
        out.push_str("<operations>\n");
        for o in &p.ops {
            let role = o
                .role
                .as_deref()
                .map(|r| format!("-{r}"))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<op id=\"{}-{}-{}{role}\" name=\"{}\"",
                p.id, o.name, o.interval, o.name
            );
            for (k, v) in o.attrs() {
                let _ = write!(out, " {k}=\"{}\"", xml_escape(v));
            }
            out.push_str("/>\n");
        }
        out.push_str("</operations>\n");
    }
    out.push_str("</primitive>\n");
}

/// The `<configuration>` element (crm_config, nodes, resources, constraints, fencing-topology,
/// rsc_defaults), to put into an empty CIB from `cibadmin --empty`.
pub fn cib_configuration(c: &Config) -> String {
    let mut out = String::from("<configuration>\n<crm_config>\n");
    nvpairs(
        &mut out,
        "cluster_property_set",
        "cib-bootstrap-options",
        &c.properties,
    );
    // No <node> entries: nodes without a status section are "unclean" to the scheduler, and
    // crm_verify would warn about the scratch cluster's state instead of the configuration.
    out.push_str("</crm_config>\n<nodes/>\n<resources>\n");
    let in_group: Vec<&String> = c.groups.iter().flat_map(|g| g.members.iter()).collect();
    let cloned: Vec<&String> = c.promotables.iter().map(|p| &p.rsc).collect();
    for p in &c.primitives {
        if !in_group.contains(&&p.id) && !cloned.contains(&&p.id) {
            cib_primitive(p, &mut out);
        }
    }
    for g in &c.groups {
        let _ = writeln!(out, "<group id=\"{}\">", g.id);
        nvpairs(&mut out, "meta_attributes", &g.id, &g.meta);
        for m in &g.members {
            if let Some(p) = c.primitive(m) {
                cib_primitive(p, &mut out);
            }
        }
        out.push_str("</group>\n");
    }
    for pr in &c.promotables {
        let _ = writeln!(out, "<clone id=\"{}\">", pr.id);
        nvpairs(&mut out, "meta_attributes", &pr.id, &pr.meta);
        if let Some(p) = c.primitive(&pr.rsc) {
            cib_primitive(p, &mut out);
        }
        out.push_str("</clone>\n");
    }
    out.push_str("</resources>\n<constraints>\n");
    for k in &c.constraints {
        match k {
            Constraint::Location {
                id,
                rsc,
                node,
                score,
            } => {
                let _ = writeln!(
                    out,
                    "<rsc_location id=\"{id}\" rsc=\"{rsc}\" node=\"{}\" score=\"{score}\"/>",
                    xml_escape(node)
                );
            }
            Constraint::OnlyOn { id, rsc, nodes } => {
                let _ = writeln!(
                    out,
                    "<rsc_location id=\"{id}\" rsc=\"{rsc}\"><rule id=\"{id}-rule\" score=\"-INFINITY\" boolean-op=\"and\">"
                );
                for (i, n) in nodes.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "<expression id=\"{id}-rule-expr-{i}\" attribute=\"#uname\" operation=\"ne\" value=\"{}\"/>",
                        xml_escape(n)
                    );
                }
                out.push_str("</rule></rsc_location>\n");
            }
            Constraint::PromoteBeforeStart { id, first, then } => {
                let _ = writeln!(
                    out,
                    "<rsc_order id=\"{id}\" first=\"{first}\" first-action=\"promote\" then=\"{then}\" then-action=\"start\" kind=\"Mandatory\"/>"
                );
            }
            Constraint::WithPromoted { id, rsc, with } => {
                let _ = writeln!(
                    out,
                    "<rsc_colocation id=\"{id}\" rsc=\"{rsc}\" with-rsc=\"{with}\" with-rsc-role=\"Promoted\" score=\"INFINITY\"/>"
                );
            }
        }
    }
    out.push_str("</constraints>\n");
    if !c.fencing_levels.is_empty() {
        out.push_str("<fencing-topology>\n");
        for l in &c.fencing_levels {
            let _ = writeln!(
                out,
                "<fencing-level id=\"fl-{}-{}\" target=\"{}\" index=\"{}\" devices=\"{}\"/>",
                crate::model::Config::new("").unique_id(&l.target),
                l.index,
                xml_escape(&l.target),
                l.index,
                l.devices.join(",")
            );
        }
        out.push_str("</fencing-topology>\n");
    }
    if !c.rsc_defaults.is_empty() {
        out.push_str("<rsc_defaults>\n");
        nvpairs(&mut out, "meta_attributes", "rsc-options", &c.rsc_defaults);
        out.push_str("</rsc_defaults>\n");
    }
    out.push_str("</configuration>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Agent, Op, Promotable};

    fn sample() -> Config {
        let mut c = Config::new("test");
        let mut p = Primitive::new("vip", Agent::ocf("rustha", "IPaddr2"))
            .param("ip", "10.0.0.5")
            .param("note", "a \"quoted\" value");
        p.ops.push(Op::monitor("10s", "20s"));
        c.primitives.push(p);
        c.primitives.push(
            Primitive::new("st", Agent::Stonith("fence_na".into()))
                .param("ip", "10.0.0.9")
                .param("password", "s3cr'et"),
        );
        c.primitives
            .push(Primitive::new("d", Agent::ocf("rustha", "drbd")).param("drbd_resource", "r0"));
        c.promotables.push(Promotable {
            id: "d-clone".into(),
            rsc: "d".into(),
            meta: vec![
                ("promotable".into(), "true".into()),
                ("notify".into(), "true".into()),
            ],
        });
        c.groups.push(crate::model::Group {
            id: "g".into(),
            members: vec!["vip".into()],
            meta: vec![],
        });
        c.constraints.push(Constraint::Location {
            id: "l".into(),
            rsc: "g".into(),
            node: "node1".into(),
            score: "100".into(),
        });
        c.constraints.push(Constraint::WithPromoted {
            id: "c".into(),
            rsc: "g".into(),
            with: "d-clone".into(),
        });
        c.untranslated("haresources:3", "foo::bar", "no such agent");
        c
    }

    #[test]
    fn crm_text() {
        let t = crm(&sample());
        assert!(
            t.contains("#   haresources:3: foo::bar: no such agent"),
            "{t}"
        );
        assert!(t.contains("primitive vip ocf:rustha:IPaddr2 \\\n    params ip=10.0.0.5 note=\"a \\\"quoted\\\" value\" \\\n    op monitor interval=10s timeout=20s\n"), "{t}");
        assert!(t.contains("group g vip\n"));
        assert!(t.contains("clone d-clone d \\\n    meta promotable=true notify=true\n"));
        assert!(t.contains("location l g 100: node1\n"));
        assert!(t.contains("colocation c inf: g d-clone:Promoted\n"));
    }

    #[test]
    fn pcs_keeps_secrets_off_command_lines() {
        let t = pcs(&sample());
        let stonith = t
            .lines()
            .find(|l| l.starts_with("pcs stonith create st"))
            .unwrap();
        assert!(!stonith.contains("s3cr"), "{stonith}");
        assert!(t.contains("value=\"s3cr&apos;et\""), "{t}");
        assert!(t.contains("pcs resource create vip ocf:rustha:IPaddr2 ip=10.0.0.5 'note=a \"quoted\" value' op monitor interval=10s timeout=20s --group g --force"), "{t}");
        assert!(t.contains("pcs resource create d ocf:rustha:drbd drbd_resource=r0 promotable notify=true --force"), "{t}");
        assert!(t.contains("pcs constraint colocation add g with Promoted d-clone INFINITY id=c"));
    }

    #[test]
    fn pcs_negative_scores_and_rules() {
        let mut c = Config::new("t");
        c.constraints.push(Constraint::Location {
            id: "l".into(),
            rsc: "st".into(),
            node: "node1".into(),
            score: "-INFINITY".into(),
        });
        c.constraints.push(Constraint::OnlyOn {
            id: "o".into(),
            rsc: "st".into(),
            nodes: vec!["node2".into(), "node3".into()],
        });
        c.fencing_levels.push(crate::model::FencingLevel {
            target: "node1".into(),
            index: 2,
            devices: vec!["a".into(), "b".into()],
        });
        let t = pcs(&c);
        assert!(
            t.contains("pcs constraint location add l st node1 -- -INFINITY\n"),
            "{t}"
        );
        assert!(t.contains("pcs constraint location st rule id=o-rule constraint-id=o score=-INFINITY '#uname' ne node2 and '#uname' ne node3\n"), "{t}");
        assert!(t.contains("pcs stonith level add 2 node1 a b\n"), "{t}");
        let t = crm(&c);
        assert!(t.contains("location l st -INFINITY: node1\n"), "{t}");
        assert!(
            t.contains("location o st rule -inf: #uname ne node2 and #uname ne node3\n"),
            "{t}"
        );
        assert!(t.contains("fencing_topology \\\n    node1: a,b\n"), "{t}");
    }

    #[test]
    fn cib_nests_groups_and_clones() {
        let x = cib_configuration(&sample());
        assert!(x.contains("<group id=\"g\">\n<primitive id=\"vip\" class=\"ocf\" provider=\"rustha\" type=\"IPaddr2\">"), "{x}");
        assert!(x.contains("<clone id=\"d-clone\">"));
        assert!(x.contains("value=\"a &quot;quoted&quot; value\""));
        assert!(x.contains("with-rsc-role=\"Promoted\""));
    }
}
