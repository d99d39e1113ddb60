// SPDX-License-Identifier: GPL-2.0-or-later
//! One boolean parser, with the dialect made explicit: the OCF shell library and fence-agents
//! accept different spellings, and an agent must accept exactly what the agent it replaces did.

/// Whose spellings of true and false to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// resource-agents' `ocf_is_true` (yes, true, 1, on, y, ja; case-insensitive) and, for a
    /// declared parameter, the matching false spellings. The empty string is false, as
    /// `ocf_is_true ""` is.
    Ocf,
    /// fence-agents' option values on stdin and in `--opt=value`: 1, yes, on, true, y and
    /// 0, no, off, false, n (case-insensitive); the empty string is not a boolean.
    FenceAgents,
}

/// `Some(value)` when `v` is a boolean in `dialect`, `None` otherwise. Surrounding white space
/// is ignored.
pub fn parse_bool(v: &str, dialect: Dialect) -> Option<bool> {
    let v = v.trim().to_ascii_lowercase();
    match (dialect, v.as_str()) {
        (_, "1" | "true" | "yes" | "y" | "on") => Some(true),
        (_, "0" | "false" | "no" | "n" | "off") => Some(false),
        (Dialect::Ocf, "ja") => Some(true),
        (Dialect::Ocf, "nein" | "") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_spellings() {
        for d in [Dialect::Ocf, Dialect::FenceAgents] {
            for t in ["yes", "TRUE", "1", "on", " y "] {
                assert_eq!(parse_bool(t, d), Some(true), "{t} {d:?}");
            }
            for f in ["no", "False", "0", "off", "n"] {
                assert_eq!(parse_bool(f, d), Some(false), "{f} {d:?}");
            }
            assert_eq!(parse_bool("maybe", d), None);
            assert_eq!(parse_bool("2", d), None);
        }
    }

    #[test]
    fn dialects_differ_where_their_originals_do() {
        assert_eq!(parse_bool("", Dialect::Ocf), Some(false));
        assert_eq!(parse_bool("", Dialect::FenceAgents), None);
        assert_eq!(parse_bool("ja", Dialect::Ocf), Some(true));
        assert_eq!(parse_bool("ja", Dialect::FenceAgents), None);
    }
}
