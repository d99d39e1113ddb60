// SPDX-License-Identifier: GPL-2.0-or-later
//! The declarative option table of an agent, and the two ways options arrive: `key=value` lines on
//! stdin (the Fence Agent API as fenced and Pacemaker use it) and a getopt-style command line.

use rustha_support::Secret;
use std::collections::BTreeMap;
use std::time::Duration;

/// The name of an option, declared once as a constant ([`opt`] for the common ones, an agent's
/// own next to its table) and used both to declare the option ([`OptSpec::new`]) and to read it
/// ([`Options::get`], ...): a misspelled option in code is a compile error, not a silent `None`.
/// (Unknown keys on stdin are still ignored, as fence-agents does.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Opt(&'static str);

impl Opt {
    /// Declare an option name: once, as a `const`.
    pub const fn new(name: &'static str) -> Opt {
        Opt(name)
    }

    /// The canonical name: the stdin key and the meta-data parameter name.
    pub const fn name(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for Opt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The options every fence agent has ([`common_options`]), by their fence-agents names.
pub mod opt {
    use super::Opt;
    pub const ACTION: Opt = Opt::new("action");
    pub const PLUG: Opt = Opt::new("plug");
    pub const IP: Opt = Opt::new("ip");
    pub const IPPORT: Opt = Opt::new("ipport");
    pub const USERNAME: Opt = Opt::new("username");
    pub const PASSWORD: Opt = Opt::new("password");
    pub const PASSWORD_SCRIPT: Opt = Opt::new("password_script");
    pub const DELAY: Opt = Opt::new("delay");
    pub const POWER_WAIT: Opt = Opt::new("power_wait");
    pub const POWER_TIMEOUT: Opt = Opt::new("power_timeout");
    pub const LOGIN_TIMEOUT: Opt = Opt::new("login_timeout");
    pub const SHELL_TIMEOUT: Opt = Opt::new("shell_timeout");
    pub const RETRY_ON: Opt = Opt::new("retry_on");
    pub const STONITH_STATUS_SLEEP: Opt = Opt::new("stonith_status_sleep");
    pub const VERBOSE: Opt = Opt::new("verbose");
    pub const DEBUG_FILE: Opt = Opt::new("debug_file");
    pub const QUIET: Opt = Opt::new("quiet");
    pub const VERSION: Opt = Opt::new("version");
    pub const HELP: Opt = Opt::new("help");
    pub const NODENAME: Opt = Opt::new("nodename");
}

/// The type of an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A boolean with three states: not given (the table's default applies), given true,
    /// given false. On stdin `1`, `yes`, `on`, `true` (or no value) mean true and `0`, `no`,
    /// `off`, `false` false; on the command line `--name` means true and `--name=VALUE` takes
    /// the same words (`--lanplus=0` switches off a default of 1). See [`parse_bool`].
    Flag,
    String,
    /// A non-negative integer.
    Integer,
    /// A non-negative number of seconds (fractions allowed).
    Second,
    /// One of a fixed set of words.
    Select(&'static [&'static str]),
}

impl Kind {
    /// The meta-data `<content type=..>`.
    pub fn content_type(&self) -> &'static str {
        match self {
            Kind::Flag => "boolean",
            Kind::String => "string",
            Kind::Integer => "integer",
            Kind::Second => "second",
            Kind::Select(_) => "select",
        }
    }
}

/// One option of an agent. Build with [`OptSpec::new`] and the chained setters.
#[derive(Debug, Clone)]
pub struct OptSpec {
    /// The canonical name: the stdin key and the meta-data parameter name (`ip`).
    pub name: &'static str,
    /// Older names, accepted on stdin and listed in meta-data as `deprecated="1"` (`ipaddr`).
    pub deprecated: &'static [&'static str],
    /// Further stdin keys, not listed anywhere (`option` for `action`).
    pub aliases: &'static [&'static str],
    /// Command-line long names without the dashes; empty means the name with `_` written `-`.
    pub long: &'static [&'static str],
    pub short: Option<char>,
    pub kind: Kind,
    /// The placeholder in `--ip=[ip]`.
    pub arg: &'static str,
    pub default: Option<&'static str>,
    pub required: bool,
    /// Held in a [`Secret`], never printed.
    pub secret: bool,
    /// Left out of meta-data and the man page.
    pub hidden: bool,
    pub desc: &'static str,
}

impl OptSpec {
    pub const fn new(opt: Opt, kind: Kind, desc: &'static str) -> Self {
        let name = opt.name();
        OptSpec {
            name,
            deprecated: &[],
            aliases: &[],
            long: &[],
            short: None,
            kind,
            arg: name,
            default: None,
            required: false,
            secret: false,
            hidden: false,
            desc,
        }
    }
    pub const fn short(mut self, c: char) -> Self {
        self.short = Some(c);
        self
    }
    pub const fn long(mut self, l: &'static [&'static str]) -> Self {
        self.long = l;
        self
    }
    pub const fn deprecated(mut self, d: &'static [&'static str]) -> Self {
        self.deprecated = d;
        self
    }
    pub const fn aliases(mut self, a: &'static [&'static str]) -> Self {
        self.aliases = a;
        self
    }
    pub const fn arg(mut self, a: &'static str) -> Self {
        self.arg = a;
        self
    }
    pub const fn default(mut self, d: &'static str) -> Self {
        self.default = Some(d);
        self
    }
    pub const fn required(mut self, r: bool) -> Self {
        self.required = r;
        self
    }
    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
    pub const fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }

    pub const fn opt(&self) -> Opt {
        Opt(self.name)
    }

    /// The first command-line long name (`power-timeout`).
    pub fn long_name(&self) -> String {
        match self.long.first() {
            Some(l) => l.to_string(),
            None => self.name.replace('_', "-"),
        }
    }

    /// fence-agents' `<getopt mixed=..>` text: `-a, --ip=[ip]`, `--power-wait=[seconds]`, `-q, --quiet`.
    pub fn getopt_mixed(&self) -> String {
        let mut s = String::new();
        if let Some(c) = self.short {
            s.push_str(&format!("-{c}, "));
        }
        s.push_str("--");
        s.push_str(&self.long_name());
        if self.kind != Kind::Flag {
            s.push_str(&format!("=[{}]", self.arg));
        }
        s
    }

    fn stdin_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.name)
            .chain(self.deprecated.iter().copied())
            .chain(self.aliases.iter().copied())
    }

    /// Check a value against the type; the error names the option and what was expected (never
    /// the value of a secret).
    pub fn check(&self, value: &str) -> Result<(), String> {
        let shown = if self.secret {
            "****".to_string()
        } else {
            crate::text::shown(value)
        };
        match self.kind {
            Kind::String => Ok(()),
            Kind::Flag => parse_bool(value).map(|_| ()).ok_or_else(|| {
                format!(
                    "{} '{shown}' is not a boolean (expected 1/0, yes/no, on/off or true/false)",
                    self.name
                )
            }),
            Kind::Integer => value.trim().parse::<u64>().map(|_| ()).map_err(|_| {
                format!(
                    "{} '{shown}' is not a whole number (expected e.g. 238)",
                    self.name
                )
            }),
            Kind::Second => parse_seconds(value).map(|_| ()).ok_or_else(|| {
                format!(
                    "{} '{shown}' is not a number of seconds (expected e.g. 20 or 0.5)",
                    self.name
                )
            }),
            Kind::Select(words) => {
                if words.contains(&value.trim()) {
                    Ok(())
                } else {
                    Err(format!(
                        "{} '{shown}' is not one of: {}",
                        self.name,
                        words.join(", ")
                    ))
                }
            }
        }
    }
}

/// A boolean option value as fence-agents accept it on stdin: `1`, `yes`, `on`, `true` (also
/// `y`) are true, `0`, `no`, `off`, `false` (also `n`) false, case-insensitive; anything else is
/// not a boolean.
pub fn parse_bool(v: &str) -> Option<bool> {
    rustha_support::boolean::parse_bool(v, rustha_support::boolean::Dialect::FenceAgents)
}

/// Seconds as fence agents accept them: a non-negative decimal number, at most a day.
pub fn parse_seconds(v: &str) -> Option<Duration> {
    let f: f64 = v.trim().parse().ok()?;
    (f.is_finite() && (0.0..=86_400.0).contains(&f)).then(|| Duration::from_secs_f64(f))
}

fn norm(key: &str) -> String {
    key.trim().replace('-', "_")
}

/// The options every fence agent has, in fence-agents' naming. An agent adjusts defaults and
/// `required` with [`tweak`] and appends its own.
pub fn common_options() -> Vec<OptSpec> {
    use Kind::*;
    vec![
        OptSpec::new(opt::ACTION, String, "Fencing action")
            .short('o')
            .aliases(&["option"])
            .arg("action")
            .default("reboot")
            .required(true),
        OptSpec::new(opt::PLUG,
            String,
            "Physical plug number on device, UUID or identification of machine",
        )
        .short('n')
        .deprecated(&["port"])
        .arg("id")
        .required(true),
        OptSpec::new(opt::IP, String, "IP address or hostname of fencing device")
            .short('a')
            .deprecated(&["ipaddr"])
            .arg("ip")
            .required(true),
        OptSpec::new(opt::IPPORT,
            Integer,
            "TCP/UDP port to use for connection with device",
        )
        .short('u')
        .arg("port"),
        OptSpec::new(opt::USERNAME, String, "Login name")
            .short('l')
            .deprecated(&["login"])
            .arg("name"),
        OptSpec::new(opt::PASSWORD, String, "Login password or passphrase")
            .short('p')
            .deprecated(&["passwd"])
            .arg("password")
            .secret(),
        OptSpec::new(opt::PASSWORD_SCRIPT,
            String,
            "Script to run to retrieve password (its first line of output; run without a shell)",
        )
        .short('S')
        .deprecated(&["passwd_script"])
        .arg("script"),
        OptSpec::new(opt::DELAY, Second, "Wait X seconds before fencing is started")
            .arg("seconds")
            .default("0"),
        OptSpec::new(opt::POWER_WAIT,
            Second,
            "Wait X seconds after issuing ON/OFF (the least time between the command and success; the new state is confirmed by polling meanwhile)",
        )
            .arg("seconds")
            .default("0"),
        OptSpec::new(opt::POWER_TIMEOUT,
            Second,
            "Test X seconds for status change after ON/OFF",
        )
        .arg("seconds")
        .default("20"),
        OptSpec::new(opt::LOGIN_TIMEOUT,
            Second,
            "Wait X seconds for cmd prompt after login",
        )
        .arg("seconds")
        .default("5"),
        OptSpec::new(opt::SHELL_TIMEOUT,
            Second,
            "Wait X seconds for cmd prompt after issuing command",
        )
        .arg("seconds")
        .default("3"),
        OptSpec::new(opt::RETRY_ON, Integer, "Count of attempts to retry power on")
            .arg("attempts")
            .default("1"),
        OptSpec::new(opt::STONITH_STATUS_SLEEP,
            Second,
            "Sleep X seconds between status calls during a STONITH action",
        )
        .arg("seconds")
        .default("1"),
        OptSpec::new(opt::VERBOSE,
            Flag,
            "Verbose mode: debug messages to stderr or the debug file",
        )
        .short('v'),
        OptSpec::new(opt::DEBUG_FILE,
            String,
            "Write debug information to given file",
        )
        .short('D')
        .deprecated(&["debug"])
        .arg("debugfile"),
        OptSpec::new(opt::QUIET,
            Flag,
            "Do not print success messages (fenced sets quiet=true); errors are still reported",
        )
        .short('q'),
        OptSpec::new(opt::VERSION, Flag, "Display version information and exit").short('V'),
        OptSpec::new(opt::HELP, Flag, "Display help and exit").short('h'),
        OptSpec::new(opt::NODENAME,
            String,
            "Name of the node to be fenced (set by Pacemaker and fenced)",
        )
        .hidden(),
    ]
}

/// Change the option `name` of `table` in place (a default, `required`, the description).
pub fn tweak(table: &mut [OptSpec], opt: Opt, f: impl FnOnce(&mut OptSpec)) {
    if let Some(o) = table.iter_mut().find(|o| o.name == opt.name()) {
        f(o);
    }
}

/// The stdin key `key` (`-` and `_` interchangeable) in `table`.
pub fn find_key<'t>(table: &'t [OptSpec], key: &str) -> Option<&'t OptSpec> {
    let k = norm(key);
    table.iter().find(|o| o.stdin_names().any(|n| norm(n) == k))
}

fn find_long<'t>(table: &'t [OptSpec], long: &str) -> Option<&'t OptSpec> {
    let k = norm(long);
    table
        .iter()
        .find(|o| o.long.iter().any(|l| norm(l) == k) || (o.long.is_empty() && norm(o.name) == k))
        .or_else(|| find_key(table, long))
}

/// The options of one invocation: the values that were given, by canonical name.
#[derive(Debug, Clone, Default)]
pub struct Options {
    table: Vec<OptSpec>,
    values: BTreeMap<&'static str, String>,
    secrets: BTreeMap<&'static str, Secret>,
    /// Stdin keys that matched no option (reported at debug level once logging is set up;
    /// shown only when they look like a key, never a whole line that may hold a secret).
    pub unknown: Vec<String>,
    /// Options whose value was not valid UTF-8 (reported by [`Options::check`], never shown).
    invalid: Vec<&'static str>,
}

impl Options {
    pub fn new(table: Vec<OptSpec>) -> Self {
        Options {
            table,
            ..Default::default()
        }
    }

    pub fn table(&self) -> &[OptSpec] {
        &self.table
    }

    pub fn spec(&self, opt: Opt) -> Option<&OptSpec> {
        self.spec_named(opt.name())
    }

    fn spec_named(&self, name: &str) -> Option<&OptSpec> {
        self.table.iter().find(|o| o.name == name)
    }

    /// Set option `opt` to `value`; a later value replaces an earlier one.
    pub fn set(&mut self, opt: Opt, value: &str) {
        self.set_named(opt.name(), value)
    }

    /// Set the option of the table named `name` (the parsers' way in).
    fn set_named(&mut self, name: &str, value: &str) {
        let Some(spec) = self.spec_named(name) else {
            return;
        };
        let n = spec.name;
        if spec.secret {
            self.secrets.insert(n, Secret::new(value));
        } else {
            self.values.insert(n, value.to_string());
        }
    }

    /// Remove a value: the option counts as not given again (its default applies).
    pub fn unset(&mut self, opt: Opt) {
        self.values.remove(opt.name());
        self.secrets.remove(opt.name());
    }

    /// The value given for `opt`, if any (secrets excluded: see [`Options::secret`]).
    pub fn get(&self, opt: Opt) -> Option<&str> {
        self.values.get(opt.name()).map(String::as_str)
    }

    /// Whether `opt` was given (secrets included).
    pub fn is_set(&self, opt: Opt) -> bool {
        self.values.contains_key(opt.name()) || self.secrets.contains_key(opt.name())
    }

    /// The value given, else the table's default.
    pub fn value(&self, opt: Opt) -> Option<&str> {
        self.get(opt)
            .or_else(|| self.spec(opt).and_then(|s| s.default))
    }

    /// A secret option's value.
    pub fn secret(&self, opt: Opt) -> Option<&Secret> {
        self.secrets.get(opt.name())
    }

    /// A [`Kind::Flag`] option: the value given (`lanplus=0` is false even where the default
    /// is true), else the table's default, else false. A value that is not a boolean counts as
    /// false here; [`Options::check`] reports it first.
    pub fn flag(&self, opt: Opt) -> bool {
        self.value(opt).and_then(parse_bool).unwrap_or(false)
    }

    /// A [`Kind::Second`] option as a duration (its default when unset; zero if neither parses:
    /// [`Options::check`] reports bad values first).
    pub fn seconds(&self, opt: Opt) -> Duration {
        self.value(opt)
            .and_then(parse_seconds)
            .unwrap_or(Duration::ZERO)
    }

    /// An [`Kind::Integer`] option.
    pub fn integer(&self, opt: Opt) -> Option<u64> {
        self.value(opt).and_then(|v| v.trim().parse().ok())
    }

    /// Record that option `opt` was given a value that is not valid UTF-8.
    pub fn set_invalid(&mut self, opt: Opt) {
        self.set_invalid_named(opt.name())
    }

    fn set_invalid_named(&mut self, name: &str) {
        if let Some(spec) = self.spec_named(name) {
            let n = spec.name;
            self.values.remove(n);
            self.secrets.remove(n);
            if !self.invalid.contains(&n) {
                self.invalid.push(n);
            }
        }
    }

    /// Check every given value against its type. The error is one line naming the bad value.
    pub fn check(&self) -> Result<(), String> {
        if let Some(n) = self.invalid.first() {
            return Err(format!(
                "{n}: the value is not valid UTF-8 (expected text; the value is not shown)"
            ));
        }
        for (name, v) in &self.values {
            if let Some(spec) = self.spec_named(name) {
                spec.check(v)?;
            }
        }
        Ok(())
    }
}

/// Parse `key=value` lines as fenced and Pacemaker write them: `#` starts a comment line, blank
/// lines are skipped, the last value of a key wins, `-` and `_` are interchangeable in keys, keys
/// that match no option are collected in [`Options::unknown`]. Never fails.
pub fn parse_stdin(table: Vec<OptSpec>, text: &str) -> Options {
    parse_stdin_bytes(table, text.as_bytes())
}

/// [`parse_stdin`] on raw bytes: a line ends at LF, CR or CRLF (a file written with CR line
/// ends must not become one value); a line that is not valid UTF-8 marks its option invalid
/// ([`Options::check`] names the option, never the value).
pub fn parse_stdin_bytes(table: Vec<OptSpec>, input: &[u8]) -> Options {
    let mut opts = Options::new(table);
    for raw in input.split(|&b| b == b'\n' || b == b'\r') {
        let line = match std::str::from_utf8(raw) {
            Ok(l) => l.trim(),
            Err(_) => {
                let lossy = String::from_utf8_lossy(raw);
                let key = lossy.split('=').next().unwrap_or("").trim().to_string();
                if key.starts_with('#') {
                    continue;
                }
                match find_key(&opts.table, &key).map(|o| o.name) {
                    Some(name) => opts.set_invalid_named(name),
                    None => opts.unknown.push(unknown_shown(&key)),
                }
                continue;
            }
        };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // As fence-agents: the value is kept as written after the '=' (a password may begin with
        // a space), less one pair of surrounding double quotes.
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k.trim(), unquote(v)),
            None => (line, ""),
        };
        let Some(spec) = find_key(&opts.table, key) else {
            opts.unknown.push(unknown_shown(key));
            continue;
        };
        let name = spec.name;
        match (spec.kind, parse_bool(value)) {
            // A key without a value (`verbose`) sets the flag.
            (Kind::Flag, _) if value.is_empty() => opts.set_named(name, "1"),
            (Kind::Flag, Some(b)) => opts.set_named(name, if b { "1" } else { "0" }),
            // Kept as given: `check` names it (rather than silently using the default).
            _ => opts.set_named(name, value),
        }
    }
    opts
}

/// An unknown stdin key as the debug message shows it: the key when it looks like one, else a
/// placeholder (a line without `=` may be a misplaced secret, `passwd secret`).
fn unknown_shown(key: &str) -> String {
    let looks_like_a_key = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if looks_like_a_key {
        key.to_string()
    } else {
        format!(
            "(a line of {} bytes that is not key=value, not shown)",
            key.len()
        )
    }
}

/// `"value"` → `value`, as fence-agents' stdin parser does; anything else unchanged.
fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(v)
}

/// Whether a stray argument looks like an action word (`off`, `list-status`): shown then.
fn action_like(arg: &str) -> bool {
    !arg.is_empty()
        && arg.len() <= 32
        && arg
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_')
}

/// A stray argument in a message: quoted when it looks like a word, else only its position (it
/// may be a password that lost its option).
fn positional(arg: &str, index: usize) -> String {
    if action_like(arg) {
        format!("'{arg}'")
    } else {
        format!("{index} (not shown)")
    }
}

/// A command line that cannot be parsed: the message names the bad argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Parse a getopt-style command line (without the program name): `--ip=X`, `--ip X`, `-a X`,
/// `-aX`, bundled flags `-qv`, `--` ending the options. Positional arguments are an error.
pub fn parse_args<S: AsRef<str>>(table: Vec<OptSpec>, args: &[S]) -> Result<Options, UsageError> {
    let mut opts = Options::new(table);
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_ref();
        i += 1;
        if arg == "--" {
            if let Some(extra) = args.get(i) {
                return Err(UsageError(format!(
                    "unexpected argument {}: options only (see --help)",
                    positional(extra.as_ref(), i + 1)
                )));
            }
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let Some(spec) = find_long(&opts.table, name) else {
                return Err(UsageError(format!(
                    "unknown option '--{}' (see --help)",
                    crate::text::shown(name)
                )));
            };
            let (n, kind) = (spec.name, spec.kind);
            if kind == Kind::Flag {
                // `--lanplus` is true; `--lanplus=0` switches off a default of true.
                match inline.map(|v| (v, parse_bool(v))) {
                    None => opts.set_named(n, "1"),
                    Some((_, Some(b))) => opts.set_named(n, if b { "1" } else { "0" }),
                    Some((v, None)) => {
                        let v = crate::text::shown(v);
                        return Err(UsageError(format!(
                            "option '--{name}' takes no value or a boolean, not '{v}' (expected e.g. --{name} or --{name}=0)"
                        )));
                    }
                }
            } else {
                let v = match inline {
                    Some(v) => v.to_string(),
                    None => {
                        let v = args.get(i).ok_or_else(|| {
                            UsageError(format!("option '--{name}' needs a value"))
                        })?;
                        i += 1;
                        v.as_ref().to_string()
                    }
                };
                opts.set_named(n, &v);
            }
        } else if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                j += 1;
                let Some(spec) = opts.table.iter().find(|o| o.short == Some(c)) else {
                    let c = crate::text::shown(&c.to_string());
                    return Err(UsageError(format!("unknown option '-{c}' (see --help)")));
                };
                let (n, kind) = (spec.name, spec.kind);
                if kind == Kind::Flag {
                    opts.set_named(n, "1");
                    continue;
                }
                let rest: String = chars[j..].iter().collect();
                let v = if !rest.is_empty() {
                    rest
                } else {
                    let v = args
                        .get(i)
                        .ok_or_else(|| UsageError(format!("option '-{c}' needs a value")))?;
                    i += 1;
                    v.as_ref().to_string()
                };
                opts.set_named(n, &v);
                break;
            }
        } else {
            return Err(UsageError(match action_like(arg) {
                true => format!(
                    "unexpected argument '{arg}': options only, e.g. --action={arg} (see --help)"
                ),
                false => format!(
                    "unexpected argument {}: options only (see --help)",
                    positional(arg, i)
                ),
            }));
        }
    }
    Ok(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: Opt = Opt::new("config");
    const LANPLUS: Opt = Opt::new("lanplus");
    const PLAIN: Opt = Opt::new("plain");
    const PIN: Opt = Opt::new("pin");

    fn table() -> Vec<OptSpec> {
        let mut t = common_options();
        t.push(OptSpec::new(CONFIG, Kind::String, "Config file").arg("path"));
        t
    }

    #[test]
    fn stdin_as_fenced_writes_it() {
        let o = parse_stdin(
            table(),
            "# from cluster.conf\nipaddr=motoko.alteeve.com\nlogin=motoko\npasswd=secret\nquiet=true\nport=02\naction=off\n",
        );
        assert_eq!(o.get(opt::IP), Some("motoko.alteeve.com"));
        assert_eq!(o.get(opt::USERNAME), Some("motoko"));
        assert_eq!(o.secret(opt::PASSWORD).map(|s| s.expose()), Some("secret"));
        assert_eq!(o.get(opt::PASSWORD), None, "secrets are not plain values");
        assert!(o.flag(opt::QUIET));
        assert_eq!(o.get(opt::PLUG), Some("02"));
        assert_eq!(o.get(opt::ACTION), Some("off"));
        assert!(o.unknown.is_empty());
    }

    #[test]
    fn stdin_last_wins_aliases_dashes_unknown_keys() {
        let o = parse_stdin(
            table(),
            "option=on\naction=status\n  power-timeout = 7 \nfoo=bar\n\n#action=off\nnoequals\nquiet=0\nverbose\nnodename=node2\n",
        );
        assert_eq!(o.get(opt::ACTION), Some("status"));
        assert_eq!(o.seconds(opt::POWER_TIMEOUT), Duration::from_secs(7));
        assert_eq!(o.unknown, vec!["foo".to_string(), "noequals".to_string()]);
        assert!(!o.flag(opt::QUIET));
        assert!(o.flag(opt::VERBOSE));
        assert_eq!(o.get(opt::NODENAME), Some("node2"));
        // The last of an alias and the canonical name wins, in either order.
        let o = parse_stdin(table(), "action=status\noption=off\n");
        assert_eq!(o.get(opt::ACTION), Some("off"));
        // Values keep '=' after the first.
        let o = parse_stdin(table(), "passwd=a=b\n");
        assert_eq!(o.secret(opt::PASSWORD).unwrap().expose(), "a=b");
    }

    #[test]
    fn stdin_values_as_fence_agents_read_them() {
        // One pair of surrounding double quotes goes; what is inside stays, spaces included.
        let o = parse_stdin(
            table(),
            "ip=\"10.0.0.1\"\npasswd=\" two words \"\nlogin=\"x\n",
        );
        assert_eq!(o.get(opt::IP), Some("10.0.0.1"));
        assert_eq!(o.secret(opt::PASSWORD).unwrap().expose(), " two words ");
        assert_eq!(o.get(opt::USERNAME), Some("\"x"));
        let o = parse_stdin(table(), "passwd= leading\nplug=\"\"\n");
        assert_eq!(o.secret(opt::PASSWORD).unwrap().expose(), " leading");
        assert_eq!(o.get(opt::PLUG).unwrap_or(""), "");
    }

    /// Issue 16 (b): CR is a line end, so CR-only input is several lines, not one `ip` value
    /// that holds the password; a line that is not key=value is not echoed.
    #[test]
    fn cr_line_ends_and_lines_that_may_hold_secrets() {
        let o = parse_stdin(table(), "ip=h1\rpasswd=hunter2\raction=off\r");
        assert_eq!(o.get(opt::IP), Some("h1"));
        assert_eq!(o.secret(opt::PASSWORD).unwrap().expose(), "hunter2");
        assert_eq!(o.get(opt::ACTION), Some("off"));
        let o = parse_stdin(table(), "ip=h1\r\nport=2\r\n");
        assert_eq!((o.get(opt::IP), o.get(opt::PLUG)), (Some("h1"), Some("2")));
        let o = parse_stdin(table(), "passwd hunter2\nfoo=bar\n");
        assert_eq!(o.unknown.len(), 2);
        assert!(!o.unknown[0].contains("hunter2"), "{:?}", o.unknown);
        assert_eq!(o.unknown[1], "foo");
    }

    /// Issue 9 item 4: a value that is not UTF-8 is an error naming the option, not the value.
    #[test]
    fn invalid_utf8_values() {
        let o = parse_stdin_bytes(
            table(),
            b"ip=h\npasswd=hun\xffter2\n# \xff comment\nx\xff=1\n",
        );
        let e = o.check().unwrap_err();
        assert_eq!(
            e,
            "password: the value is not valid UTF-8 (expected text; the value is not shown)"
        );
        assert!(o.secret(opt::PASSWORD).is_none());
        assert_eq!(o.get(opt::IP), Some("h"));
    }

    /// Issue 9 item 17: echoed values are bounded and escaped.
    #[test]
    fn echoed_values_bounded_and_escaped() {
        let o = parse_stdin(table(), &format!("ipport={}\n", "9".repeat(100_000)));
        let e = o.check().unwrap_err();
        assert!(e.len() < 200, "{}", e.len());
        let e = parse_args(table(), &["--quiet=a\nERROR: forged"])
            .unwrap_err()
            .0;
        assert!(!e.contains('\n') && e.contains("a\\nERROR"), "{e}");
        let e = parse_args(table(), &["-o", "off", "s3cr3t!pw"])
            .unwrap_err()
            .0;
        assert!(!e.contains("s3cr3t"), "{e}");
    }

    #[test]
    fn defaults_and_checks() {
        let o = parse_stdin(table(), "");
        assert_eq!(o.value(opt::ACTION), Some("reboot"));
        assert_eq!(o.seconds(opt::POWER_TIMEOUT), Duration::from_secs(20));
        assert_eq!(o.integer(opt::RETRY_ON), Some(1));
        let o = parse_stdin(table(), "power_timeout=abc\n");
        assert_eq!(
            o.check().unwrap_err(),
            "power_timeout 'abc' is not a number of seconds (expected e.g. 20 or 0.5)"
        );
        let o = parse_stdin(table(), "ipport=x1\n");
        assert!(o
            .check()
            .unwrap_err()
            .starts_with("ipport 'x1' is not a whole number"));
        let o = parse_stdin(table(), "delay=-1\n");
        assert!(o.check().is_err());
        let o = parse_stdin(table(), "delay=0.5\n");
        assert_eq!(o.check(), Ok(()));
        assert_eq!(o.seconds(opt::DELAY), Duration::from_millis(500));
    }

    #[test]
    fn getopt_forms() {
        let o = parse_args(
            table(),
            &[
                "--ip=10.0.0.1",
                "-l",
                "admin",
                "-psecret",
                "--plug",
                "3",
                "-o",
                "status",
                "--power-timeout=5",
                "--power_wait",
                "1",
                "-qv",
                "--config=/tmp/x",
            ],
        )
        .unwrap();
        assert_eq!(o.get(opt::IP), Some("10.0.0.1"));
        assert_eq!(o.get(opt::USERNAME), Some("admin"));
        assert_eq!(o.secret(opt::PASSWORD).unwrap().expose(), "secret");
        assert_eq!(o.get(opt::PLUG), Some("3"));
        assert_eq!(o.get(opt::ACTION), Some("status"));
        assert_eq!(o.seconds(opt::POWER_TIMEOUT), Duration::from_secs(5));
        assert_eq!(o.seconds(opt::POWER_WAIT), Duration::from_secs(1));
        assert!(o.flag(opt::QUIET) && o.flag(opt::VERBOSE));
        assert_eq!(o.get(CONFIG), Some("/tmp/x"));
        // Bundled flags followed by an option taking the next word; last wins.
        let o = parse_args(table(), &["-qa", "h1", "-a", "h2", "--action=off", "--"]).unwrap();
        assert_eq!(o.get(opt::IP), Some("h2"));
        assert!(o.flag(opt::QUIET));
        // Deprecated long names work too.
        let o = parse_args(table(), &["--ipaddr=h3", "--port", "4"]).unwrap();
        assert_eq!((o.get(opt::IP), o.get(opt::PLUG)), (Some("h3"), Some("4")));
    }

    #[test]
    fn getopt_errors_name_the_argument() {
        let e = |a: &[&str]| parse_args(table(), a).unwrap_err().0;
        assert_eq!(e(&["--bogus"]), "unknown option '--bogus' (see --help)");
        assert_eq!(e(&["-Z"]), "unknown option '-Z' (see --help)");
        assert_eq!(e(&["--ip"]), "option '--ip' needs a value");
        assert_eq!(e(&["-a"]), "option '-a' needs a value");
        assert_eq!(
            e(&["--quiet=maybe"]),
            "option '--quiet' takes no value or a boolean, not 'maybe' (expected e.g. --quiet or --quiet=0)"
        );
        assert!(e(&["off"]).starts_with("unexpected argument 'off'"));
        assert!(e(&["--", "x"]).starts_with("unexpected argument 'x'"));
    }

    /// A flag whose default is true (fence_ilo4's `lanplus`): not given, given true, given false
    /// are three different things, on stdin and on the command line.
    #[test]
    fn flags_are_tri_state() {
        let t = || {
            let mut t = table();
            t.push(
                OptSpec::new(LANPLUS, Kind::Flag, "IPMI 2.0")
                    .short('P')
                    .default("1"),
            );
            t.push(OptSpec::new(PLAIN, Kind::Flag, "no default"));
            t
        };
        let stdin = |s: &str| parse_stdin(t(), s);
        // Not given: the default.
        let o = stdin("");
        assert!(o.flag(LANPLUS) && !o.is_set(LANPLUS));
        assert!(!o.flag(PLAIN));
        // Given false, in each spelling fence-agents accepts: switches a default of true off.
        for v in ["0", "no", "off", "false", "FALSE", " No "] {
            let o = stdin(&format!("lanplus={v}\n"));
            assert!(!o.flag(LANPLUS), "lanplus={v}");
            assert!(o.is_set(LANPLUS), "lanplus={v}");
            assert_eq!(o.check(), Ok(()));
        }
        for v in ["1", "yes", "on", "true", "True", ""] {
            let o = stdin(&format!("plain={v}\nlanplus={v}\n"));
            assert!(o.flag(PLAIN) && o.flag(LANPLUS), "plain={v}");
        }
        // Last value wins, also for flags.
        assert!(!stdin("lanplus=1\nlanplus=0\n").flag(LANPLUS));
        assert!(stdin("lanplus=0\nlanplus=1\n").flag(LANPLUS));
        // Not a boolean: named by check, never silently the default.
        let o = stdin("lanplus=maybe\n");
        assert_eq!(
            o.check().unwrap_err(),
            "lanplus 'maybe' is not a boolean (expected 1/0, yes/no, on/off or true/false)"
        );
        // Command line: `-P` / `--lanplus` true, `--lanplus=0` / `--lanplus=no` false.
        let args = |a: &[&str]| parse_args(t(), a).unwrap();
        assert!(args(&[]).flag(LANPLUS));
        assert!(args(&["--plain"]).flag(PLAIN));
        assert!(args(&["-P"]).flag(LANPLUS));
        assert!(!args(&["--lanplus=0"]).flag(LANPLUS));
        assert!(!args(&["--lanplus=no"]).flag(LANPLUS));
        assert!(args(&["--lanplus=0", "-P"]).flag(LANPLUS));
        assert!(args(&["--plain=yes"]).flag(PLAIN));
    }

    #[test]
    fn metadata_strings() {
        let t = table();
        let f = |n: &str| t.iter().find(|o| o.name == n).unwrap().getopt_mixed();
        assert_eq!(f("ip"), "-a, --ip=[ip]");
        assert_eq!(f("power_wait"), "--power-wait=[seconds]");
        assert_eq!(f("quiet"), "-q, --quiet");
        assert_eq!(f("password_script"), "-S, --password-script=[script]");
    }

    #[test]
    fn secret_values_never_in_errors() {
        let mut t = table();
        t.push(OptSpec::new(PIN, Kind::Integer, "pin").secret());
        let o = parse_stdin(t, "pin=hunter2\n");
        // Secrets are not type-checked through values; the spec check hides them.
        let spec = o.spec(PIN).unwrap();
        assert!(!spec.check("hunter2").unwrap_err().contains("hunter2"));
    }

    /// Deterministic pseudo-random stdin: the parser never panics.
    #[test]
    fn stdin_parser_never_panics() {
        let mut rng = rustha_testkit::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = || rng.next_u64();
        let pieces = [
            "ip",
            "ipaddr",
            "port",
            "=",
            "\n",
            "#",
            "-",
            "_",
            " ",
            "action",
            "off",
            "quiet",
            "passwd",
            "\u{e9}",
            "\r",
            "\0",
            "==",
            "power_timeout",
            "9e999",
            "\u{1F600}",
        ];
        for _ in 0..20_000 {
            let n = next() % 30;
            let s: String = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let o = parse_stdin(table(), &s);
            let _ = o.check();
            let _ = o.seconds(opt::POWER_TIMEOUT);
            let args: Vec<&str> = s.split(' ').collect();
            let _ = parse_args(table(), &args);
        }
    }
}
