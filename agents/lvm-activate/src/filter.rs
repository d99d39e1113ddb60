// SPDX-License-Identifier: GPL-2.0-or-later
//! lvm.conf device filters (`devices/filter`, `devices/global_filter`): does LVM scan a device?
//!
//! Each filter is a list of `a|REGEX|` (accept) or `r|REGEX|` (reject) entries (any delimiter
//! character after the `a`/`r`). As LVM's `filter-regex.c`: a device is tried under each of its
//! names (`/dev/drbd0`, `/dev/drbd/by-res/r0/0`, `/dev/block/147:0`, ...); for each name the first
//! entry whose regex matches somewhere in it decides; the device is accepted if some name is
//! accepted, rejected if no name is accepted and some name is rejected, and accepted when nothing
//! matches at all. `global_filter` and `filter` must both let it through.
//!
//! The regex dialect is LVM's (libdm `regex`): `.`, `[...]` (ranges, `^` negation), `*`, `+`,
//! `?`, `|`, `(...)`, `^`, `$`, `\` escapes; unanchored.

use std::collections::BTreeMap;

/// One entry of a filter.
#[derive(Debug, Clone)]
pub struct Entry {
    pub accept: bool,
    pub text: String,
    regex: Regex,
}

/// What a filter says about a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    Rejected,
    /// No entry matched any name: LVM accepts the device.
    NoMatch,
}

/// The lists in `lvmconfig` output (`filter=["a|x|","r|.*|"]`, one setting per line).
pub fn lvmconfig_lists(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let key = key
            .trim()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        out.insert(key, strings(value.trim()));
    }
    out
}

/// The quoted strings of a config value: `["a", "b"]` or `"a"`.
fn strings(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match (&mut cur, c) {
            (None, '"') => cur = Some(String::new()),
            (Some(s), '\\') => {
                if let Some(n) = chars.next() {
                    s.push(n)
                }
            }
            (Some(_), '"') => out.extend(cur.take()),
            (Some(s), c) => s.push(c),
            (None, _) => {}
        }
    }
    out
}

/// Parse a filter's entries.
pub fn parse(entries: &[String]) -> Result<Vec<Entry>, String> {
    entries
        .iter()
        .map(|e| {
            let mut chars = e.chars();
            let accept = match chars.next() {
                Some('a') => true,
                Some('r') => false,
                _ => {
                    return Err(format!(
                        "filter entry \"{e}\": expected a|REGEX| or r|REGEX|"
                    ))
                }
            };
            let Some(delim) = chars.next() else {
                return Err(format!("filter entry \"{e}\": no regex"));
            };
            let rest: String = chars.collect();
            let Some(end) = rest.rfind(delim) else {
                return Err(format!("filter entry \"{e}\": unterminated regex"));
            };
            let regex =
                Regex::new(&rest[..end]).map_err(|m| format!("filter entry \"{e}\": {m}"))?;
            Ok(Entry {
                accept,
                text: e.clone(),
                regex,
            })
        })
        .collect()
}

/// What `filter` says about a device known by `names`.
pub fn judge(filter: &[Entry], names: &[String]) -> Verdict {
    let mut rejected = false;
    for name in names {
        if let Some(e) = filter.iter().find(|e| e.regex.is_match(name)) {
            if e.accept {
                return Verdict::Accepted;
            }
            rejected = true;
        }
    }
    if rejected {
        Verdict::Rejected
    } else {
        Verdict::NoMatch
    }
}

/// Whether LVM skips the device: rejected by `global_filter` or by `filter`.
pub fn excluded(global_filter: &[Entry], filter: &[Entry], names: &[String]) -> bool {
    judge(global_filter, names) == Verdict::Rejected || judge(filter, names) == Verdict::Rejected
}

// ---- LVM's regex dialect, by backtracking (patterns and paths are short) ----------------------

#[derive(Debug, Clone)]
enum Atom {
    Char(char),
    Any,
    Class(bool, Vec<(char, char)>),
    Start,
    End,
    Group(Vec<Vec<Piece>>),
}

#[derive(Debug, Clone)]
struct Piece {
    atom: Atom,
    min: u32,
    max: u32,
}

#[derive(Debug, Clone)]
pub struct Regex(Vec<Vec<Piece>>);

const MAX_STEPS: u32 = 200_000;

impl Regex {
    pub fn new(pattern: &str) -> Result<Regex, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        let alts = parse_alts(&chars, &mut i, 0)?;
        if i != chars.len() {
            return Err(format!("unbalanced ')' in \"{pattern}\""));
        }
        Ok(Regex(alts))
    }

    /// Whether the regex matches somewhere in `s`.
    pub fn is_match(&self, s: &str) -> bool {
        let s: Vec<char> = s.chars().collect();
        let mut steps = 0;
        (0..=s.len()).any(|start| {
            self.0
                .iter()
                .any(|alt| seq(alt, &s, start, &mut steps, &mut |_, _| true))
        })
    }
}

fn parse_alts(c: &[char], i: &mut usize, depth: u32) -> Result<Vec<Vec<Piece>>, String> {
    if depth > 16 {
        return Err("groups nested too deeply".into());
    }
    let mut alts = vec![Vec::new()];
    while *i < c.len() {
        let ch = c[*i];
        *i += 1;
        let atom = match ch {
            '|' => {
                alts.push(Vec::new());
                continue;
            }
            ')' if depth > 0 => return Ok(alts),
            ')' => return Err("unbalanced ')'".into()),
            '(' => {
                let inner = parse_alts(c, i, depth + 1)?;
                if c.get(*i - 1) != Some(&')') {
                    return Err("unbalanced '('".into());
                }
                Atom::Group(inner)
            }
            '.' => Atom::Any,
            '^' => Atom::Start,
            '$' => Atom::End,
            '[' => parse_class(c, i)?,
            '\\' => {
                let Some(&n) = c.get(*i) else {
                    return Err("trailing '\\'".into());
                };
                *i += 1;
                Atom::Char(n)
            }
            '*' | '+' | '?' => return Err(format!("'{ch}' without anything to repeat")),
            other => Atom::Char(other),
        };
        let (min, max) = match c.get(*i) {
            Some('*') => (0, u32::MAX),
            Some('+') => (1, u32::MAX),
            Some('?') => (0, 1),
            _ => (1, 1),
        };
        if (min, max) != (1, 1) {
            *i += 1;
        }
        alts.last_mut()
            .expect("one alternative")
            .push(Piece { atom, min, max });
    }
    if depth > 0 {
        return Err("unbalanced '('".into());
    }
    Ok(alts)
}

fn parse_class(c: &[char], i: &mut usize) -> Result<Atom, String> {
    let mut neg = false;
    if c.get(*i) == Some(&'^') {
        neg = true;
        *i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let Some(&ch) = c.get(*i) else {
            return Err("unterminated '['".into());
        };
        *i += 1;
        if ch == ']' && !first {
            break;
        }
        first = false;
        let lo = if ch == '\\' {
            let Some(&n) = c.get(*i) else {
                return Err("unterminated '['".into());
            };
            *i += 1;
            n
        } else {
            ch
        };
        if c.get(*i) == Some(&'-') && c.get(*i + 1).is_some_and(|&n| n != ']') {
            let hi = c[*i + 1];
            *i += 2;
            ranges.push((lo, hi));
        } else {
            ranges.push((lo, lo));
        }
    }
    Ok(Atom::Class(neg, ranges))
}

type Cont<'a> = dyn FnMut(usize, &mut u32) -> bool + 'a;

fn seq(pieces: &[Piece], s: &[char], pos: usize, steps: &mut u32, k: &mut Cont<'_>) -> bool {
    *steps += 1;
    if *steps > MAX_STEPS {
        return false;
    }
    match pieces.split_first() {
        None => k(pos, steps),
        Some((p, rest)) => rep(p, 0, s, pos, steps, &mut |p2, st| seq(rest, s, p2, st, k)),
    }
}

fn rep(p: &Piece, n: u32, s: &[char], pos: usize, steps: &mut u32, k: &mut Cont<'_>) -> bool {
    if n < p.max {
        let more = atom(&p.atom, s, pos, steps, &mut |p2, st| {
            // A repeated atom that consumed nothing would loop forever; a single one (`^`, `$`)
            // may match empty.
            (p.max == 1 || p2 != pos) && rep(p, n + 1, s, p2, st, k)
        });
        if more {
            return true;
        }
    }
    n >= p.min && k(pos, steps)
}

fn atom(a: &Atom, s: &[char], pos: usize, steps: &mut u32, k: &mut Cont<'_>) -> bool {
    match a {
        Atom::Char(c) => s.get(pos) == Some(c) && k(pos + 1, steps),
        Atom::Any => pos < s.len() && k(pos + 1, steps),
        Atom::Class(neg, ranges) => {
            let Some(&ch) = s.get(pos) else { return false };
            let inside = ranges.iter().any(|&(lo, hi)| lo <= ch && ch <= hi);
            inside != *neg && k(pos + 1, steps)
        }
        Atom::Start => pos == 0 && k(pos, steps),
        Atom::End => pos == s.len() && k(pos, steps),
        Atom::Group(alts) => alts.iter().any(|alt| seq(alt, s, pos, steps, k)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> Regex {
        Regex::new(p).unwrap()
    }

    #[test]
    fn regex_dialect() {
        assert!(re("/dev/drbd").is_match("/dev/drbd0"));
        assert!(re("/dev/drbd.*").is_match("/dev/drbd/by-res/r0/0"));
        assert!(re("^/dev/drbd[0-9]+$").is_match("/dev/drbd12"));
        assert!(!re("^/dev/drbd[0-9]+$").is_match("/dev/drbd/by-res/r0/0"));
        assert!(re(".*").is_match(""));
        assert!(re("^/dev/(sd|vd)[a-z]$").is_match("/dev/vdb"));
        assert!(!re("^/dev/(sd|vd)[a-z]$").is_match("/dev/hda"));
        assert!(re("[^a-z]$").is_match("/dev/sda1"));
        assert!(!re("[^a-z]$").is_match("/dev/sda"));
        assert!(re("a\\.b").is_match("xa.b"));
        assert!(!re("a\\.b").is_match("axb"));
        assert!(re("(a*)*b").is_match("aaab"));
        assert!(!re("(a*)*c").is_match(&"a".repeat(30)));
        for bad in [
            "(",
            "a)",
            "*a",
            "[a",
            "a\\",
            "((((((((((((((((((a))))))))))))))))))",
        ] {
            assert!(Regex::new(bad).is_err(), "{bad}");
        }
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    fn filt(list: &str) -> Vec<Entry> {
        parse(&lvmconfig_lists(&format!("filter={list}"))["filter"]).unwrap()
    }

    #[test]
    fn lvm_filter_semantics() {
        let drbd = names(&["/dev/drbd0", "/dev/drbd/by-res/r0/0", "/dev/block/147:0"]);
        // The usual linuxha.net rule.
        assert!(excluded(&[], &filt(r#"["r|/dev/drbd.*|"]"#), &drbd));
        // An accept-list that does not name DRBD rejects it at the catch-all.
        assert!(excluded(&[], &filt(r#"["a|^/dev/vd.*|", "r|.*|"]"#), &drbd));
        // Only the bare name rejected: the other names match nothing, so still rejected.
        assert!(excluded(&filt(r#"["r|^/dev/drbd[0-9]+$|"]"#), &[], &drbd));
        // Accepting any name wins (the device is scanned).
        assert!(!excluded(
            &[],
            &filt(r#"["a|/dev/block/.*|", "r|/dev/drbd|"]"#),
            &drbd
        ));
        // No filter, or one that does not match: scanned.
        assert!(!excluded(&[], &[], &drbd));
        assert!(!excluded(&[], &filt(r#"["r|/dev/sdz|"]"#), &drbd));
        assert_eq!(judge(&filt(r#"["r|/dev/sdz|"]"#), &drbd), Verdict::NoMatch);
    }

    #[test]
    fn lvmconfig_output() {
        let t = "global_filter=[\"r|/dev/drbd.*|\",\"a|.*|\"]\nfilter=\"r|x|\"\n";
        let l = lvmconfig_lists(t);
        assert_eq!(l["global_filter"], ["r|/dev/drbd.*|", "a|.*|"]);
        assert_eq!(l["filter"], ["r|x|"]);
        assert_eq!(
            lvmconfig_lists("devices/filter=[\"a|.*|\"]")["filter"],
            ["a|.*|"]
        );
        assert!(parse(&names(&["x|a|"])).is_err());
        assert!(parse(&names(&["a|abc"])).is_err());
        assert!(parse(&names(&["a"])).is_err());
        assert_eq!(parse(&names(&["r#/dev/drbd#"])).unwrap().len(), 1);
    }
}
