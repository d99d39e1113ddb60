// SPDX-License-Identifier: GPL-2.0-or-later
//! Logging with the stock agents' conventions, through `tracing`.
//!
//! Like resource-agents' `ocf_log`/`ha_log` (ocf-shellfuncs), line for line:
//! - the tag is `HA_LOGTAG` when set, else `AGENT(INSTANCE)[PID]`;
//! - dates are `HA_DATEFMT` (strftime, default `%b %d %T ` as ocf-directories sets it);
//! - `HA_LOGFACILITY` (e.g. `daemon`, `local0`; `none` disables) sends messages to syslog with the
//!   tag as ident;
//! - `HA_LOGFILE` receives every non-debug line as `DATE TAG:    LEVEL: message`;
//! - `HA_DEBUGLOG` receives every line, debug ones included, as `TAG:<TAB>DATELEVEL: message`
//!   (unless it is the same file as `HA_LOGFILE`, which then gets each line once);
//! - `HA_debug=1` (or `HA_DEBUG`) enables debug messages;
//! - stderr always receives warnings and errors (Pacemaker's executor logs an agent's stderr), and
//!   everything when neither syslog nor a log file is configured, as `ha_log` does, as
//!   `DATETAG: LEVEL: message` (date first; the stock agents leave out the tag there, we keep it
//!   because our warnings reach stderr even when a log file is set).

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Where and how to log; [`LogConfig::from_env`] reads the HA_* variables.
#[derive(Debug, Clone, Default)]
pub struct LogConfig {
    /// `AGENT(INSTANCE)`: the tag in front of every line is this and `[PID]`, unless
    /// [`LogConfig::logtag`] is set.
    pub tag: String,
    /// `HA_LOGTAG`: the whole tag, used as it is (no PID appended).
    pub logtag: Option<String>,
    /// `HA_DATEFMT`: the strftime format of every date; `None` for the default `%b %d %T `.
    pub datefmt: Option<String>,
    pub syslog_facility: Option<libc::c_int>,
    pub logfile: Option<String>,
    pub debuglog: Option<String>,
    pub debug: bool,
    /// A per-invocation trace (resource-agents' `trace_ra`): every message, debug included,
    /// with millisecond timestamps, appended to this file.
    pub trace: Option<std::path::PathBuf>,
}

impl LogConfig {
    pub fn from_env(tag: impl Into<String>) -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let debug = ["HA_debug", "HA_DEBUG"]
            .iter()
            .filter_map(|k| var(k))
            .any(|v| !matches!(v.as_str(), "0" | "false" | "no" | "off"));
        LogConfig {
            tag: tag.into(),
            logtag: var("HA_LOGTAG"),
            // An empty HA_DATEFMT is a format too (no date), as `date "+"` prints nothing.
            datefmt: std::env::var("HA_DATEFMT").ok(),
            syslog_facility: var("HA_LOGFACILITY").and_then(|f| facility(&f)),
            logfile: var("HA_LOGFILE"),
            debuglog: var("HA_DEBUGLOG"),
            debug,
            trace: None,
        }
    }

    /// The tag of every line and the syslog ident: `HA_LOGTAG`, else `AGENT(INSTANCE)[PID]`.
    pub fn full_tag(&self) -> String {
        match &self.logtag {
            Some(t) => t.clone(),
            None => format!("{}[{}]", self.tag, std::process::id()),
        }
    }

    fn date(&self) -> String {
        date(self.datefmt.as_deref().unwrap_or(DEFAULT_DATEFMT))
    }
}

/// ocf-directories' default `HA_DATEFMT`.
pub const DEFAULT_DATEFMT: &str = "%b %d %T ";

/// The three line shapes of ocf-shellfuncs' `__ha_log`/`ha_debug`; `line` is `LEVEL: message`.
/// `HA_LOGFILE`: `DATE TAG:    LINE`.
pub fn logfile_line(date: &str, tag: &str, line: &str) -> String {
    format!("{date} {tag}:    {line}\n")
}

/// `HA_DEBUGLOG`: `TAG:<TAB>DATELINE`.
pub fn debuglog_line(date: &str, tag: &str, line: &str) -> String {
    format!("{tag}:\t{date}{line}\n")
}

/// stderr: `DATETAG: LINE` (date first, as ha_log's stderr lines; with the tag).
pub fn stderr_line(date: &str, tag: &str, line: &str) -> String {
    format!("{date}{tag}: {line}\n")
}

/// The syslog facility for a name as `logger` accepts it; `None` for `none` or unknown names.
pub fn facility(name: &str) -> Option<libc::c_int> {
    Some(match name.to_ascii_lowercase().as_str() {
        "auth" => libc::LOG_AUTH,
        "authpriv" => libc::LOG_AUTHPRIV,
        "cron" => libc::LOG_CRON,
        "daemon" => libc::LOG_DAEMON,
        "kern" => libc::LOG_KERN,
        "lpr" => libc::LOG_LPR,
        "mail" => libc::LOG_MAIL,
        "news" => libc::LOG_NEWS,
        "syslog" => libc::LOG_SYSLOG,
        "user" => libc::LOG_USER,
        "uucp" => libc::LOG_UUCP,
        "local0" => libc::LOG_LOCAL0,
        "local1" => libc::LOG_LOCAL1,
        "local2" => libc::LOG_LOCAL2,
        "local3" => libc::LOG_LOCAL3,
        "local4" => libc::LOG_LOCAL4,
        "local5" => libc::LOG_LOCAL5,
        "local6" => libc::LOG_LOCAL6,
        "local7" => libc::LOG_LOCAL7,
        _ => return None,
    })
}

/// Install the global subscriber. Safe to call more than once (later calls do nothing).
pub fn init(config: LogConfig) {
    if let Some(fac) = config.syslog_facility {
        // openlog keeps the pointer: leak the tag so it lives for the whole process.
        let ident = std::ffi::CString::new(config.full_tag().replace('\0', "")).unwrap_or_default();
        let ident: &'static std::ffi::CStr = Box::leak(ident.into_boxed_c_str());
        // SAFETY: ident is a valid NUL-terminated string that is never freed.
        unsafe { libc::openlog(ident.as_ptr(), 0, fac) };
    }
    let _ = tracing::subscriber::set_global_default(HaLogger::new(config));
}

struct HaLogger {
    tag: String,
    config: LogConfig,
    lock: Mutex<()>,
    trace: Option<Mutex<std::fs::File>>,
}

impl HaLogger {
    fn new(config: LogConfig) -> Self {
        let trace = config.trace.as_ref().and_then(|path| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()
        });
        HaLogger {
            tag: config.full_tag(),
            config,
            lock: Mutex::new(()),
            trace: trace.map(Mutex::new),
        }
    }

    /// Debug messages are wanted (HA_debug, or a trace file).
    fn all_levels(&self) -> bool {
        self.config.debug || self.trace.is_some()
    }
}

fn append(path: &str, text: &str) {
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(text.as_bytes());
    }
}

struct MessageVisitor(String);

impl Visit for MessageVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

fn level_word(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        _ => "DEBUG",
    }
}

/// The subscriber itself, not a layer on tracing-subscriber's span registry: our agents log
/// events only (no spans), and the registry's set-up (a slab of per-thread shards) is work every
/// agent start would pay for nothing.
impl Subscriber for HaLogger {
    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        self.all_levels() || *meta.level() <= Level::INFO
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(if self.all_levels() {
            tracing::level_filters::LevelFilter::TRACE
        } else {
            tracing::level_filters::LevelFilter::INFO
        })
    }

    // Spans are not used: one ID for all, nothing recorded.
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let level = *event.metadata().level();
        let mut msg = MessageVisitor(String::new());
        event.record(&mut msg);
        if let Some(trace) = &self.trace {
            if let Ok(mut f) = trace.lock() {
                let _ = writeln!(
                    f,
                    "{}.{:03} {}: {}",
                    date("%T"),
                    millis(),
                    level_word(&level),
                    crate::text::escape_control(&msg.0)
                );
            }
        }
        if !self.config.debug && level > Level::INFO {
            return;
        }
        let line = format!("{}: {}", level_word(&level), msg.0);
        let _guard = self.lock.lock();
        let c = &self.config;
        if let Some(fac) = c.syslog_facility {
            let prio = match level {
                Level::ERROR => libc::LOG_ERR,
                Level::WARN => libc::LOG_WARNING,
                Level::INFO => libc::LOG_INFO,
                _ => libc::LOG_DEBUG,
            };
            if let Ok(text) = std::ffi::CString::new(line.replace('\0', " ")) {
                // SAFETY: "%s" with a valid C string.
                unsafe { libc::syslog(fac | prio, c"%s".as_ptr(), text.as_ptr()) };
            }
        }
        let date = c.date();
        let tag = &self.tag;
        let debug_line = level > Level::INFO;
        // As __ha_log: non-debug lines to HA_LOGFILE; every line to HA_DEBUGLOG unless it is
        // HA_LOGFILE (ha_debug writes debug lines only there, never to HA_LOGFILE).
        if let Some(path) = c.logfile.as_deref().filter(|_| !debug_line) {
            append(path, &logfile_line(&date, tag, &line));
        }
        if let Some(path) = c.debuglog.as_deref() {
            let written = !debug_line && c.logfile.as_deref() == Some(path);
            if !written {
                append(path, &debuglog_line(&date, tag, &line));
            }
        }
        let quiet_elsewhere = if debug_line {
            c.syslog_facility.is_some() || c.debuglog.is_some()
        } else {
            c.syslog_facility.is_some() || c.logfile.is_some()
        };
        if level <= Level::WARN || !quiet_elsewhere {
            let _ = std::io::stderr().write_all(stderr_line(&date, tag, &line).as_bytes());
        }
    }
}

/// The milliseconds of the current second (trace lines).
fn millis() -> i64 {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_REALTIME)
        .map(|t| t.tv_nsec() / 1_000_000)
        .unwrap_or(0)
}

/// `YYYY-MM-DD.HH:MM:SS` in local time (`date +%F.%T`), as trace file names have it.
pub fn trace_file_stamp() -> String {
    date("%F.%T")
}

/// The local time in a strftime format, as `date "+FORMAT"` prints it; empty when the format
/// cannot be used (a NUL byte, or a result longer than 256 bytes).
pub fn date(format: &str) -> String {
    let Ok(fmt) = std::ffi::CString::new(format) else {
        return String::new();
    };
    let now = nix::time::clock_gettime(nix::time::ClockId::CLOCK_REALTIME)
        .map(|t| t.tv_sec())
        .unwrap_or(0);
    // SAFETY: localtime_r writes into the zeroed struct we own.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let t: libc::time_t = now as libc::time_t;
    unsafe { libc::localtime_r(&t, &mut tm) };
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its length; fmt and tm are valid for the call.
    let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), &tm) };
    String::from_utf8_lossy(&buf[..n.min(buf.len())]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facility_names() {
        assert_eq!(facility("daemon"), Some(libc::LOG_DAEMON));
        assert_eq!(facility("LOCAL7"), Some(libc::LOG_LOCAL7));
        assert_eq!(facility("none"), None);
    }

    #[test]
    fn default_date_is_month_day_time_and_a_space() {
        let d = date(DEFAULT_DATEFMT);
        // "Nov 30 01:30:00 "
        assert_eq!(d.len(), 16, "{d:?}");
        assert_eq!(&d[3..4], " ");
        assert_eq!(&d[9..10], ":");
        assert!(d.ends_with(' '));
        assert_eq!(date("%%Y"), "%Y");
        assert_eq!(date(""), "");
        assert_eq!(date("a\0b"), "");
    }

    #[test]
    fn line_shapes_are_ocf_shellfuncs() {
        let d = "Nov 30 01:30:00 ";
        assert_eq!(
            logfile_line(d, "IPaddr2(vip)[7]", "INFO: up"),
            "Nov 30 01:30:00  IPaddr2(vip)[7]:    INFO: up\n"
        );
        assert_eq!(
            debuglog_line(d, "IPaddr2(vip)[7]", "DEBUG: x"),
            "IPaddr2(vip)[7]:\tNov 30 01:30:00 DEBUG: x\n"
        );
        assert_eq!(
            stderr_line(d, "IPaddr2(vip)[7]", "ERROR: no"),
            "Nov 30 01:30:00 IPaddr2(vip)[7]: ERROR: no\n"
        );
    }

    fn log_to_files(cfg: LogConfig, f: impl FnOnce()) {
        tracing::subscriber::with_default(HaLogger::new(cfg), f);
    }

    fn tmp(name: &str) -> String {
        let p = std::env::temp_dir().join(format!("rustha-log-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p.to_string_lossy().into_owned()
    }

    #[test]
    fn debuglog_receives_every_line_and_logfile_no_debug() {
        let (logfile, debuglog) = (tmp("a.log"), tmp("a.debug"));
        let cfg = LogConfig {
            tag: "X(r)".into(),
            logtag: Some("TAG".into()),
            datefmt: Some("<%%>".into()),
            logfile: Some(logfile.clone()),
            debuglog: Some(debuglog.clone()),
            debug: true,
            ..LogConfig::default()
        };
        log_to_files(cfg, || {
            tracing::info!("one");
            tracing::debug!("two");
            tracing::error!("three");
        });
        let log = std::fs::read_to_string(&logfile).unwrap();
        let dbg = std::fs::read_to_string(&debuglog).unwrap();
        assert_eq!(log, "<%> TAG:    INFO: one\n<%> TAG:    ERROR: three\n");
        assert_eq!(
            dbg,
            "TAG:\t<%>INFO: one\nTAG:\t<%>DEBUG: two\nTAG:\t<%>ERROR: three\n"
        );
        let _ = (
            std::fs::remove_file(logfile),
            std::fs::remove_file(debuglog),
        );
    }

    #[test]
    fn same_file_for_both_gets_each_line_once() {
        let f = tmp("same.log");
        let cfg = LogConfig {
            tag: "X(r)".into(),
            logtag: Some("T".into()),
            datefmt: Some(String::new()),
            logfile: Some(f.clone()),
            debuglog: Some(f.clone()),
            debug: true,
            ..LogConfig::default()
        };
        log_to_files(cfg, || {
            tracing::warn!("w");
            tracing::debug!("d");
        });
        let text = std::fs::read_to_string(&f).unwrap();
        assert_eq!(text, " T:    WARNING: w\nT:\tDEBUG: d\n");
        let _ = std::fs::remove_file(f);
    }

    #[test]
    fn the_tag_is_agent_instance_pid_unless_ha_logtag() {
        let mut c = LogConfig {
            tag: "IPaddr2(vip)".into(),
            ..LogConfig::default()
        };
        assert_eq!(
            c.full_tag(),
            format!("IPaddr2(vip)[{}]", std::process::id())
        );
        c.logtag = Some("mytag".into());
        assert_eq!(c.full_tag(), "mytag");
    }
}
