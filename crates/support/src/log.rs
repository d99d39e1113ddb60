//! Logging with the stock agents' conventions, through `tracing`.
//!
//! Like resource-agents' `ocf_log`/`ha_log`:
//! - `HA_LOGFACILITY` (e.g. `daemon`, `local0`; `none` disables) sends messages to syslog with the
//!   tag `AGENT(INSTANCE)[PID]`;
//! - `HA_LOGFILE` appends messages to a file, `HA_DEBUGLOG` receives debug messages;
//! - `HA_debug=1` (or `HA_DEBUG`) enables debug messages;
//! - stderr always receives warnings and errors (Pacemaker's executor logs an agent's stderr), and
//!   everything when neither syslog nor a log file is configured, as `ha_log` does.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// Where and how to log; [`LogConfig::from_env`] reads the HA_* variables.
#[derive(Debug, Clone, Default)]
pub struct LogConfig {
    /// `AGENT(INSTANCE)`, the tag in front of every line.
    pub tag: String,
    pub syslog_facility: Option<libc::c_int>,
    pub logfile: Option<String>,
    pub debuglog: Option<String>,
    pub debug: bool,
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
            syslog_facility: var("HA_LOGFACILITY").and_then(|f| facility(&f)),
            logfile: var("HA_LOGFILE"),
            debuglog: var("HA_DEBUGLOG"),
            debug,
        }
    }
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
        let ident = std::ffi::CString::new(format!("{}[{}]", config.tag, std::process::id()))
            .unwrap_or_default();
        let ident: &'static std::ffi::CStr = Box::leak(ident.into_boxed_c_str());
        // SAFETY: ident is a valid NUL-terminated string that is never freed.
        unsafe { libc::openlog(ident.as_ptr(), 0, fac) };
    }
    let _ = tracing_subscriber::registry()
        .with(HaLayer {
            config,
            lock: Mutex::new(()),
        })
        .try_init();
}

struct HaLayer {
    config: LogConfig,
    lock: Mutex<()>,
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

impl<S: Subscriber> Layer<S> for HaLayer {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        self.config.debug || *meta.level() <= Level::INFO
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let level = *event.metadata().level();
        if !self.config.debug && level > Level::INFO {
            return;
        }
        let mut msg = MessageVisitor(String::new());
        event.record(&mut msg);
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
        let stamped = || {
            format!(
                "{}[{}]: {} {}\n",
                c.tag,
                std::process::id(),
                timestamp(),
                line
            )
        };
        let file = if level > Level::INFO {
            c.debuglog.as_ref().or(c.logfile.as_ref())
        } else {
            c.logfile.as_ref()
        };
        if let Some(path) = file {
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = f.write_all(stamped().as_bytes());
            }
        }
        let quiet_elsewhere = c.syslog_facility.is_some() || c.logfile.is_some();
        if level <= Level::WARN || !quiet_elsewhere {
            let _ = std::io::stderr().write_all(stamped().as_bytes());
        }
    }
}

/// `YYYY/MM/DD_HH:MM:SS` in local time, as ha_log writes it.
fn timestamp() -> String {
    let now = nix::time::clock_gettime(nix::time::ClockId::CLOCK_REALTIME)
        .map(|t| t.tv_sec())
        .unwrap_or(0);
    // SAFETY: localtime_r writes into the zeroed struct we own.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let t: libc::time_t = now as libc::time_t;
    unsafe { libc::localtime_r(&t, &mut tm) };
    format!(
        "{:04}/{:02}/{:02}_{:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
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
    fn timestamp_shape() {
        let t = timestamp();
        assert_eq!(t.len(), 19, "{t}");
        assert_eq!(&t[4..5], "/");
        assert_eq!(&t[10..11], "_");
    }
}
