// SPDX-License-Identifier: GPL-2.0-or-later
//! Parameters declared once: each field of an agent's `Params` struct is declared with its
//! [`Parameter`] (name, kind, default — per agent name where they differ —, required,
//! unique-group, reloadable, deprecation, descriptions, example) and its parse function.
//! From that one declaration come the typed struct, the meta-data XML, the man page and the
//! validation of every action. No agent reads a parameter by its name.
//!
//! ```
//! use rustha_ocf::{params, Kind, Parameter};
//! use rustha_ocf::params::parse;
//!
//! params! {
//!     /// The parameters of a small agent.
//!     pub struct Params {
//!         /// The address to manage.
//!         pub ip: std::net::IpAddr = Parameter::new("ip", Kind::String, "IP address")
//!             .required().unique().identifies().example("192.0.2.10")
//!             => parse::from_str("an IPv4 or IPv6 address"),
//!         /// Packets to send.
//!         pub count: u32 = Parameter::new("count", Kind::Integer, "packet count")
//!             .default("5").reloadable()
//!             => parse::positive_u32,
//!     }
//! }
//! ```
//!
//! Parsing is pure (no system calls): a parse function sees only the text of the value. What
//! needs the system (does the interface exist?) belongs to the agent's actions.
//!
//! How the runtime parses for each action (the probe policy and the stop rule, documented in
//! docs/admin-guide.md):
//! - strict ([`Mode::Strict`]; start, promote, validate-all, reload-agent): every parameter must
//!   be valid;
//! - lenient ([`Mode::Lenient`]; stop, demote, monitor, status, notify): a side parameter that is
//!   invalid is replaced by its default, with a warning, so an invalid side parameter never hides
//!   or strands a running resource; an invalid *identifying* parameter (see
//!   [`Parameter::identifies`]) cannot name anything this agent could have started.

use crate::model::{Agent, Parameter};
use rustha_support::text::shown;
use std::collections::BTreeMap;
use std::ffi::OsString;

/// A struct of declared, typed parameters: implemented by [`params!`](crate::params!).
pub trait ParamSet: Sized + std::fmt::Debug {
    /// Every declaration, in the order of the struct's fields.
    fn declarations() -> &'static [Parameter];
    /// Parse each field with `parser`; `None` when a field could not be given a value (the
    /// parser holds the errors).
    #[doc(hidden)]
    fn build(parser: &mut Parser<'_>) -> Option<Self>;
}

/// Declare an agent's parameters: a struct whose fields are each `name: Type = declaration =>
/// parse_function`. See the [module documentation](crate::params).
#[macro_export]
macro_rules! params {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fattr:meta])*
                $fvis:vis $field:ident : $ty:ty = $decl:expr => $parse:expr
            ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone)]
        $vis struct $name {
            $( $(#[$fattr])* $fvis $field: $ty, )*
        }

        impl $crate::params::ParamSet for $name {
            fn declarations() -> &'static [$crate::Parameter] {
                static DECLARATIONS: &[$crate::Parameter] = &[ $( $decl, )* ];
                DECLARATIONS
            }

            fn build(parser: &mut $crate::params::Parser<'_>) -> ::core::option::Option<Self> {
                let mut decls = <Self as $crate::params::ParamSet>::declarations().iter();
                $(
                    let $field = parser.field::<$ty, _>(decls.next()?, $parse);
                )*
                ::core::option::Option::Some($name { $( $field: $field?, )* })
            }
        }
    };
}

/// Why a parameter cannot be used. The message names the parameter and its value first
/// (Pacemaker keeps 128 bytes of a reason), bounded and escaped, then what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    Missing {
        name: &'static str,
    },
    NotUtf8 {
        name: &'static str,
        value: String,
    },
    Invalid {
        name: &'static str,
        value: String,
        expected: String,
    },
}

impl ParamError {
    pub fn name(&self) -> &'static str {
        match self {
            ParamError::Missing { name }
            | ParamError::NotUtf8 { name, .. }
            | ParamError::Invalid { name, .. } => name,
        }
    }
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamError::Missing { name } => write!(f, "required parameter {name} is not set"),
            ParamError::NotUtf8 { name, value } => {
                write!(f, "invalid {name} \"{}\": not valid UTF-8", shown(value))
            }
            ParamError::Invalid {
                name,
                value,
                expected,
            } => write!(
                f,
                "invalid {name} \"{}\": expected {expected}",
                shown(value)
            ),
        }
    }
}

/// How strictly to parse: see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Strict,
    Lenient,
}

/// The parameters could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Every error, in declaration order (identifying ones included).
    pub errors: Vec<ParamError>,
    /// Whether an identifying parameter is among them: then nothing this agent started with
    /// these parameters can be running.
    pub unidentified: bool,
}

impl Rejected {
    /// The first error, for the exit reason; the others go to the log.
    pub fn first(&self) -> &ParamError {
        &self.errors[0]
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first())?;
        if self.errors.len() > 1 {
            write!(f, " (and {} more)", self.errors.len() - 1)?;
        }
        Ok(())
    }
}

/// The raw values of one invocation, by parameter name (the `OCF_RESKEY_` variables without
/// the prefix, and heartbeat v1 positional arguments), as the OS gave them.
pub type RawValues = BTreeMap<String, OsString>;

/// Parses the fields of a [`ParamSet`] for one agent name; used by [`params!`](crate::params!).
pub struct Parser<'a> {
    agent: &'a str,
    raw: &'a RawValues,
    mode: Mode,
    errors: Vec<ParamError>,
    unidentified: bool,
    /// Side parameters replaced by their defaults (lenient mode), for the log.
    pub warnings: Vec<String>,
}

impl<'a> Parser<'a> {
    pub fn new(agent: &'a str, raw: &'a RawValues, mode: Mode) -> Self {
        Parser {
            agent,
            raw,
            mode,
            errors: Vec::new(),
            unidentified: false,
            warnings: Vec::new(),
        }
    }

    /// One field: its declaration as this agent has it, the value given (under its name or an
    /// old name), else its default, else "" — parsed with `parse`, which returns the typed
    /// value or what was expected (e.g. "a positive integer").
    pub fn field<T, F>(&mut self, decl: &'static Parameter, parse: F) -> Option<T>
    where
        F: Fn(&str) -> Result<T, String>,
    {
        let Some(d) = decl.for_agent(self.agent) else {
            // Not a parameter of this agent: the value it would have by default.
            return self.fallback(decl, &parse);
        };
        let given = std::iter::once(d)
            .chain(d.old_names.iter())
            .find_map(|p| self.raw.get(p.name));
        let error = match given {
            Some(os) => match os.to_str() {
                None => ParamError::NotUtf8 {
                    name: d.name,
                    value: os.to_string_lossy().into_owned(),
                },
                // An empty value is no value: the default applies (as the stock agents'
                // `${OCF_RESKEY_x:-default}`).
                Some(v) if v.is_empty() && d.default.is_some() => {
                    return self.fallback(d, &parse);
                }
                Some(v) => match parse(v) {
                    Ok(t) => return Some(t),
                    Err(expected) => ParamError::Invalid {
                        name: d.name,
                        value: v.to_string(),
                        expected,
                    },
                },
            },
            None if d.required && d.default.is_none() => ParamError::Missing { name: d.name },
            None => return self.fallback(d, &parse),
        };
        if self.mode == Mode::Lenient && !d.identifies {
            if let Some(t) = self.fallback(d, &parse) {
                self.warnings.push(format!(
                    "{error}; using the default {:?} for this action",
                    d.default.unwrap_or("")
                ));
                return Some(t);
            }
        }
        self.unidentified |= d.identifies;
        self.errors.push(error);
        None
    }

    /// The default of `d` (or "") parsed; a default that does not parse is a bug in the
    /// declaration, reported like an invalid value.
    fn fallback<T>(
        &mut self,
        d: &'static Parameter,
        parse: &impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = d.default.unwrap_or("");
        match parse(v) {
            Ok(t) => Some(t),
            Err(expected) => {
                self.unidentified |= d.identifies;
                self.errors.push(if d.default.is_none() && d.required {
                    ParamError::Missing { name: d.name }
                } else {
                    ParamError::Invalid {
                        name: d.name,
                        value: v.to_string(),
                        expected,
                    }
                });
                None
            }
        }
    }
}

/// Parse the parameters of `agent` from `raw`.
pub fn parse<P: ParamSet>(
    agent: &str,
    raw: &RawValues,
    mode: Mode,
) -> Result<(P, Vec<String>), Rejected> {
    let mut parser = Parser::new(agent, raw, mode);
    let built = P::build(&mut parser);
    match built {
        Some(p) if parser.errors.is_empty() => Ok((p, parser.warnings)),
        _ => Err(Rejected {
            errors: parser.errors,
            unidentified: parser.unidentified,
        }),
    }
}

/// The parameters as `agent` declares them, in meta-data order: each declaration's variant for
/// this agent, followed by its old names (as deprecated parameters replaced with it).
pub fn parameters_of<P: ParamSet>(agent: &str) -> Vec<Parameter> {
    let mut out = Vec::new();
    for decl in P::declarations() {
        let Some(d) = decl.for_agent(agent) else {
            continue;
        };
        out.push(*d);
        for old in d.old_names {
            out.push(old.deprecated_for(d.name));
        }
    }
    out
}

/// Check a declaration for mistakes a test should catch: every default (and "" for optional
/// parameters without one) parses, names are unique, required parameters have an example.
/// Agents call this from a unit test for each of their names.
pub fn check_declarations<P: ParamSet>(agent: &str) -> Result<(), String> {
    let raw = RawValues::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in parameters_of::<P>(agent) {
        if !seen.insert(p.name) {
            return Err(format!("{agent}: parameter {} declared twice", p.name));
        }
        if p.required && p.example.is_none() {
            return Err(format!(
                "{agent}: required parameter {} has no example",
                p.name
            ));
        }
    }
    // With only the required parameters given (their examples), everything else must parse.
    let mut given = raw.clone();
    for p in parameters_of::<P>(agent).iter().filter(|p| p.required) {
        given.insert(p.name.to_string(), p.example.unwrap_or("").into());
    }
    parse::<P>(agent, &given, Mode::Strict)
        .map(|_| ())
        .map_err(|r| format!("{agent}: with the examples of the required parameters: {r}"))
}

/// Parse functions for the common kinds of values. Each returns what was expected on error.
pub mod parse {
    use rustha_support::{parse_bool, Dialect};

    /// Any text, kept as given.
    pub fn string(v: &str) -> Result<String, String> {
        Ok(v.to_string())
    }

    /// Text with surrounding white space removed; `None` when empty.
    pub fn optional(v: &str) -> Result<Option<String>, String> {
        let v = v.trim();
        Ok((!v.is_empty()).then(|| v.to_string()))
    }

    /// A value the agent accepts for compatibility and ignores.
    pub fn ignored(_: &str) -> Result<(), String> {
        Ok(())
    }

    /// `ocf_is_true`'s spellings ([`Dialect::Ocf`]); "" is false.
    pub fn boolean(v: &str) -> Result<bool, String> {
        parse_bool(v, Dialect::Ocf).ok_or_else(|| "a boolean (true or false)".to_string())
    }

    /// A boolean that may be left empty for "decide by other parameters" (`None`).
    pub fn optional_boolean(v: &str) -> Result<Option<bool>, String> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        boolean(v).map(Some)
    }

    /// An integer of 1 or more.
    pub fn positive_u32(v: &str) -> Result<u32, String> {
        match v.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err("a positive integer".to_string()),
        }
    }

    /// An integer of 0 or more.
    pub fn u32(v: &str) -> Result<u32, String> {
        v.trim()
            .parse::<u32>()
            .map_err(|_| "an integer of 0 or more".to_string())
    }

    /// Any value `T::from_str` accepts; `what` says what that is.
    pub fn from_str<T: std::str::FromStr>(
        what: &'static str,
    ) -> impl Fn(&str) -> Result<T, String> + Copy {
        move |v: &str| v.trim().parse::<T>().map_err(|_| what.to_string())
    }

    /// A status file prefix (Filesystem's `statusfile_prefix` and the like): a file name, or
    /// one directory name followed by `/`, inside the directory it is used in. No other path
    /// separator and no `.`/`..` component, so the prefix cannot leave that directory.
    pub fn file_name_prefix(v: &str) -> Result<String, String> {
        let expected = || "a file name prefix without a path separator (one trailing / allowed)";
        let name = v.strip_suffix('/').unwrap_or(v);
        if name.is_empty() || name.contains(['/', '\0']) || name == "." || name == ".." {
            return Err(expected().to_string());
        }
        Ok(v.to_string())
    }
}

/// `trace_ra` and `trace_file`: per-resource tracing as resource-agents' ocf-shellfuncs does it
/// (the runtime writes the trace), declared by every agent so pcs accepts them.
pub const TRACE_PARAMETERS: [Parameter; 2] = [
    Parameter::new(
        "trace_ra",
        crate::Kind::Boolean,
        "Set to 1 to turn on resource agent tracing (expect large output)",
    )
    .default("0")
    .long(
        "Set to 1 to turn on resource agent tracing: every message of the invocation, debug \
         included, with millisecond timestamps, is written to trace_file, if set, or by default \
         to $HA_VARLIB/trace_ra/<type>/<id>.<action>.<timestamp> (trace_dir replaces \
         $HA_VARLIB/trace_ra), e.g. /var/lib/heartbeat/trace_ra/IPaddr2/vip.start.2026-11-30.08:37:08.",
    ),
    Parameter::new(
        "trace_file",
        crate::Kind::String,
        "Path to a file to store resource agent tracing log",
    )
    .default("")
    .long("An absolute path: the trace of every invocation is appended to it (see trace_ra)."),
];

/// `agent`'s parameters followed by the trace parameters it does not declare itself.
pub fn with_trace_parameters(mut parameters: Vec<Parameter>) -> Vec<Parameter> {
    for t in TRACE_PARAMETERS {
        if !parameters.iter().any(|p| p.name == t.name) {
            parameters.push(t);
        }
    }
    parameters
}

/// The meta-data [`Agent`] for `agent`'s name, parameters from `P` (built once per process).
pub fn agent_of<P: ParamSet>(desc: &'static crate::Description) -> &'static Agent {
    let parameters: &'static [Parameter] =
        Box::leak(with_trace_parameters(parameters_of::<P>(desc.name)).into_boxed_slice());
    Box::leak(Box::new(Agent {
        name: desc.name,
        version: desc.version,
        shortdesc: desc.shortdesc,
        longdesc: desc.longdesc,
        parameters,
        actions: desc.actions,
        see_also: desc.see_also,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    const NETMASK: Parameter = Parameter::new("netmask", Kind::String, "old name");
    const ARP_REPEAT: Parameter = Parameter::new("ARP_REPEAT", Kind::Integer, "repeat count")
        .default("10")
        .reloadable();

    crate::params! {
        #[derive(PartialEq)]
        struct Test {
            ip: String = Parameter::new("ip", Kind::String, "address")
                .required().unique().identifies().example("10.0.0.1")
                => |v| if v.contains('.') { Ok(v.to_string()) } else { Err("an address".into()) },
            cidr_netmask: Option<String> = Parameter::new("cidr_netmask", Kind::String, "bits")
                .old_names(&[NETMASK])
                => parse::optional,
            count: u32 = Parameter::new("arp_count", Kind::Integer, "count")
                .default("5").reloadable().variant("Old", &ARP_REPEAT)
                => parse::positive_u32,
            refresh: u32 = Parameter::new("arp_count_refresh", Kind::Integer, "refresh")
                .default("0").only_in(&["New"])
                => parse::u32,
            bg: bool = Parameter::new("arp_bg", Kind::Boolean, "background").default("true")
                => parse::boolean,
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> RawValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect()
    }

    fn strict(agent: &str, pairs: &[(&str, &str)]) -> Result<Test, Rejected> {
        parse::<Test>(agent, &raw(pairs), Mode::Strict).map(|(p, _)| p)
    }

    #[test]
    fn declarations_are_consistent() {
        check_declarations::<Test>("New").unwrap();
        check_declarations::<Test>("Old").unwrap();
    }

    #[test]
    fn defaults_variants_and_old_names() {
        let t = strict("New", &[("ip", "10.0.0.1"), ("netmask", "24")]).unwrap();
        assert_eq!(
            t,
            Test {
                ip: "10.0.0.1".into(),
                cidr_netmask: Some("24".into()),
                count: 5,
                refresh: 0,
                bg: true
            }
        );
        // The new name wins over the old one.
        let t = strict(
            "New",
            &[("ip", "1.2.3.4"), ("netmask", "24"), ("cidr_netmask", "16")],
        )
        .unwrap();
        assert_eq!(t.cidr_netmask.as_deref(), Some("16"));
        // The variant's name and default; arp_count means nothing to "Old".
        let t = strict("Old", &[("ip", "1.2.3.4"), ("arp_count", "0")]).unwrap();
        assert_eq!(t.count, 10);
        let t = strict("Old", &[("ip", "1.2.3.4"), ("ARP_REPEAT", "3")]).unwrap();
        assert_eq!(t.count, 3);
        // A parameter the agent lacks keeps its default even when given.
        let t = strict("Old", &[("ip", "1.2.3.4"), ("arp_count_refresh", "9")]).unwrap();
        assert_eq!(t.refresh, 0);
        // An empty value is no value.
        let t = strict("New", &[("ip", "1.2.3.4"), ("arp_count", "")]).unwrap();
        assert_eq!(t.count, 5);
    }

    #[test]
    fn meta_data_order_and_variants() {
        let names: Vec<&str> = parameters_of::<Test>("New")
            .iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(
            names,
            [
                "ip",
                "cidr_netmask",
                "netmask",
                "arp_count",
                "arp_count_refresh",
                "arp_bg"
            ]
        );
        let old = parameters_of::<Test>("Old");
        let names: Vec<&str> = old.iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            ["ip", "cidr_netmask", "netmask", "ARP_REPEAT", "arp_bg"]
        );
        assert_eq!(old[2].deprecated_for, Some("cidr_netmask"));
    }

    #[test]
    fn strict_errors_name_the_value_first() {
        let e = strict("New", &[]).unwrap_err();
        assert_eq!(e.first().to_string(), "required parameter ip is not set");
        assert!(e.unidentified);
        let e = strict("New", &[("ip", "1.2.3.4"), ("arp_count", "abc")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid arp_count \"abc\": expected a positive integer"
        );
        assert!(!e.unidentified);
        let e = strict(
            "New",
            &[("ip", "x"), ("arp_count", "abc"), ("arp_bg", "maybe")],
        )
        .unwrap_err();
        assert_eq!(e.errors.len(), 3);
        assert!(e.to_string().ends_with("(and 2 more)"));
    }

    #[test]
    fn lenient_mode_uses_defaults_for_side_parameters_only() {
        let r = raw(&[("ip", "1.2.3.4"), ("arp_count", "abc"), ("arp_bg", "bogus")]);
        let (t, warnings) = parse::<Test>("New", &r, Mode::Lenient).unwrap();
        assert_eq!((t.count, t.bg), (5, true));
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings[0].starts_with("invalid arp_count \"abc\""),
            "{warnings:?}"
        );
        let r = raw(&[("ip", "nodots"), ("arp_count", "abc")]);
        let e = parse::<Test>("New", &r, Mode::Lenient).unwrap_err();
        assert!(e.unidentified);
        assert_eq!(e.errors.len(), 1);
    }

    #[test]
    fn values_that_are_not_utf8_are_configuration_errors() {
        use std::os::unix::ffi::OsStringExt;
        let mut r = raw(&[("ip", "1.2.3.4")]);
        r.insert("arp_count".into(), OsString::from_vec(vec![b'1', 0xff]));
        let e = parse::<Test>("New", &r, Mode::Strict).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid arp_count \"1\u{fffd}\": not valid UTF-8"
        );
        // Someone else's parameter may hold any bytes.
        let mut r = raw(&[("ip", "1.2.3.4")]);
        r.insert("other".into(), OsString::from_vec(vec![0xff]));
        assert!(parse::<Test>("New", &r, Mode::Strict).is_ok());
    }

    #[test]
    fn echoed_values_are_bounded_and_escaped() {
        let long = "y".repeat(100_000);
        let e = strict("New", &[("ip", "1.2.3.4"), ("arp_count", &long)]).unwrap_err();
        assert!(e.to_string().len() < 120, "{e}");
        let e = strict("New", &[("ip", "1.2.3.4"), ("arp_count", "1\nERROR: x")]).unwrap_err();
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn status_file_prefix() {
        for ok in [".Filesystem_status/", "status", ".x"] {
            assert!(parse::file_name_prefix(ok).is_ok(), "{ok}");
        }
        for bad in ["../../x", "a/b", "/etc/x", "..", ".", "", "x//"] {
            assert!(parse::file_name_prefix(bad).is_err(), "{bad}");
        }
    }
}
