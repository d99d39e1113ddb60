// SPDX-License-Identifier: GPL-2.0-or-later
//! Parameters by name, validated against a static description: the interface of agents not yet
//! ported to [`crate::params`] (declared, typed parameters). New agents do not use it.

use crate::model::{Agent, Kind};
use rustha_support::text::shown;
use std::collections::BTreeMap;

/// The validated parameters of one invocation: every described parameter that was given or has a
/// default, by name; deprecated names folded into their replacements.
#[derive(Debug, Clone, Default)]
pub struct Values {
    values: BTreeMap<&'static str, String>,
    /// Names given explicitly (not defaulted), for "was this set?" questions.
    given: Vec<&'static str>,
}

/// Why the parameters cannot be used. The message names the parameter, the bad value and what
/// was expected; agents turn it into `OCF_ERR_CONFIGURED`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("required parameter {0} is not set")]
    Missing(&'static str),
    #[error("parameter {name}=\"{}\" is not an integer", shown(value))]
    NotInteger { name: &'static str, value: String },
    #[error(
        "parameter {name}=\"{}\" is not a boolean (expected true or false)",
        shown(value)
    )]
    NotBoolean { name: &'static str, value: String },
    #[error("parameter {name}=\"{}\" is not one of: {expected}", shown(value))]
    NotInSet {
        name: &'static str,
        value: String,
        expected: String,
    },
}

/// `ocf_is_true`'s spellings, plus their negations ([`rustha_support::Dialect::Ocf`]).
pub fn parse_bool(v: &str) -> Option<bool> {
    rustha_support::parse_bool(v, rustha_support::Dialect::Ocf)
}

impl Values {
    /// Validate `raw` (name → value, e.g. the `OCF_RESKEY_*` variables without prefix) against
    /// `agent`. Unknown names are ignored, as Pacemaker passes parameters agents may not know.
    pub fn parse<'a>(
        agent: &Agent,
        raw: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Values, ParamError> {
        let raw: BTreeMap<&str, &str> = raw.into_iter().collect();
        let mut out = Values::default();
        for p in agent
            .parameters
            .iter()
            .filter(|p| p.deprecated_for.is_none())
        {
            let given = raw.get(p.name).copied().or_else(|| {
                // A value under a deprecated name stands in for its replacement.
                agent
                    .parameters
                    .iter()
                    .filter(|old| old.deprecated_for == Some(p.name))
                    .find_map(|old| raw.get(old.name).copied())
            });
            if let Some(v) = given {
                check(p.name, p.kind, v)?;
                out.values.insert(p.name, v.to_string());
                out.given.push(p.name);
            } else if let Some(d) = p.default {
                out.values.insert(p.name, d.to_string());
            } else if p.required {
                return Err(ParamError::Missing(p.name));
            }
        }
        // Deprecated parameters without a replacement keep their own value.
        for p in agent
            .parameters
            .iter()
            .filter(|p| p.deprecated_for == Some(""))
        {
            if let Some(v) = raw.get(p.name) {
                check(p.name, p.kind, v)?;
                out.values.insert(p.name, v.to_string());
                out.given.push(p.name);
            }
        }
        Ok(out)
    }

    /// The value, or `None` when neither given nor defaulted.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The value, or "" when unset.
    pub fn str(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// A boolean parameter (already validated); false when unset.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).and_then(parse_bool).unwrap_or(false)
    }

    /// An integer parameter (already validated); `None` when unset.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }

    /// Whether the parameter was given explicitly, rather than defaulted.
    pub fn is_given(&self, name: &str) -> bool {
        self.given.contains(&name)
    }

    /// Every value, for diagnostics and reload comparisons.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.values.iter().map(|(k, v)| (*k, v.as_str()))
    }
}

fn check(name: &'static str, kind: Kind, value: &str) -> Result<(), ParamError> {
    match kind {
        Kind::String => Ok(()),
        Kind::Integer => match value.trim().parse::<i64>() {
            Ok(_) => Ok(()),
            Err(_) if value.trim().is_empty() => Ok(()),
            Err(_) => Err(ParamError::NotInteger {
                name,
                value: value.to_string(),
            }),
        },
        Kind::Boolean => parse_bool(value)
            .map(|_| ())
            .ok_or_else(|| ParamError::NotBoolean {
                name,
                value: value.to_string(),
            }),
        Kind::Select(options) => {
            if value.is_empty() || options.contains(&value) {
                Ok(())
            } else {
                Err(ParamError::NotInSet {
                    name,
                    value: value.to_string(),
                    expected: options.join(", "),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testdata::DUMMY;

    #[test]
    fn defaults_and_given_values() {
        let v = Values::parse(&DUMMY, [("ip", "10.0.0.1"), ("other", "x")]).unwrap();
        assert_eq!(v.get("ip"), Some("10.0.0.1"));
        assert!(v.flag("arp_bg"));
        assert!(!v.is_given("arp_bg"));
        assert_eq!(v.get("mode"), Some("fast"));
        assert_eq!(v.get("other"), None);
        assert_eq!(v.int("cidr_netmask"), None);
    }

    #[test]
    fn deprecated_name_feeds_its_replacement() {
        let v = Values::parse(&DUMMY, [("ip", "1.2.3.4"), ("netmask", "24")]).unwrap();
        assert_eq!(v.int("cidr_netmask"), Some(24));
        let v = Values::parse(
            &DUMMY,
            [("ip", "1.2.3.4"), ("netmask", "24"), ("cidr_netmask", "16")],
        )
        .unwrap();
        assert_eq!(v.int("cidr_netmask"), Some(16));
    }

    #[test]
    fn errors_name_the_parameter_and_value() {
        assert_eq!(
            Values::parse(&DUMMY, []).unwrap_err(),
            ParamError::Missing("ip")
        );
        let e = Values::parse(&DUMMY, [("ip", "x"), ("cidr_netmask", "2x")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "parameter cidr_netmask=\"2x\" is not an integer"
        );
        let e = Values::parse(&DUMMY, [("ip", "x"), ("arp_bg", "maybe")]).unwrap_err();
        assert!(e.to_string().contains("arp_bg=\"maybe\""));
        let e = Values::parse(&DUMMY, [("ip", "x"), ("mode", "warp")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "parameter mode=\"warp\" is not one of: fast, slow"
        );
    }

    #[test]
    fn boolean_spellings() {
        for t in ["yes", "TRUE", "1", "on", "y"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["no", "false", "0", "off", ""] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }
}
