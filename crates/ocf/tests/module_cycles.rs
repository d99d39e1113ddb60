// SPDX-License-Identifier: GPL-2.0-or-later
//! No module cycles: within a crate, module A using module B (`crate::B`, `super::B`) while B
//! uses A makes layers impossible to tell apart (issue 10: IPaddr2's agent ↔ state). The graph
//! is read from the sources, as `grep` would (top-level modules; a directory module counts as
//! one): `cargo test -p rustha-ocf --test module_cycles -- --nocapture` checks every crate of the
//! workspace and prints each one's graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Top-level modules of a crate (`src/NAME.rs` or `src/NAME/mod.rs`) and the modules each one
/// names with `crate::`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(src).into_iter().flatten().flatten() {
        let p = entry.path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            let mut stack = vec![p.clone()];
            while let Some(d) = stack.pop() {
                for f in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    let fp = f.path();
                    if fp.is_dir() {
                        stack.push(fp);
                    } else if fp.extension().is_some_and(|e| e == "rs") {
                        files.push((name.clone(), fp));
                    }
                }
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            files.push((name, p));
        }
    }
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &files {
        if ["lib", "main"].contains(&module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap_or_default();
        // Test modules may reach anywhere, comments name what they like: only code counts.
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let code = code.as_str();
        let deps = g.entry(module.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&name) && &name != module {
                deps.insert(name);
            }
        }
        // `use crate::{a, b::c}`
        for (i, _) in code.match_indices("crate::{") {
            let rest = &code[i + "crate::{".len()..];
            let inner = &rest[..rest.find('}').unwrap_or(0)];
            for part in inner.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if modules.contains(&name) && &name != module {
                    deps.insert(name);
                }
            }
        }
    }
    g
}

/// A cycle in `g`, if any, as the list of modules around it.
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = path.iter().position(|p| p == n) {
            let mut c = path[pos..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in g.keys() {
        if let Some(c) = visit(n, g, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("agent".into()).or_default().insert("state".into());
    g.entry("state".into()).or_default().insert("sender".into());
    assert_eq!(cycle(&g), None);
    g.entry("state".into()).or_default().insert("agent".into());
    assert_eq!(
        cycle(&g),
        Some(vec!["agent".into(), "state".into(), "agent".into()])
    );
}

#[test]
fn no_module_cycles() {
    let root = workspace();
    let mut failed = Vec::new();
    for group in ["crates", "agents", "fence", "tools/sim"] {
        for entry in std::fs::read_dir(root.join(group))
            .into_iter()
            .flatten()
            .flatten()
        {
            let src = entry.path().join("src");
            if !src.is_dir() {
                continue;
            }
            let name = format!("{group}/{}", entry.file_name().to_string_lossy());
            let g = graph(&src);
            let found = cycle(&g);
            eprintln!(
                "{name}: {:?}{}",
                g,
                match &found {
                    Some(c) => format!("  CYCLE {}", c.join(" -> ")),
                    None => String::new(),
                }
            );
            if let Some(c) = found {
                failed.push(format!("{name}: {}", c.join(" -> ")));
            }
        }
    }
    assert!(failed.is_empty(), "module cycles: {failed:?}");
    assert!(
        graph(&root.join("agents/ipaddr2/src")).contains_key("state"),
        "the graph reader found no modules"
    );
}
