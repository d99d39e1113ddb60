// SPDX-License-Identifier: GPL-2.0-or-later
//! Running LVM: `lvm SUBCOMMAND ...` directly (never through a shell), bounded by the
//! operation's deadline, with `LC_ALL=C` and fd-leak warnings off (Pacemaker's children inherit
//! descriptors). Reports are read as JSON.

use crate::report::{self, Row};
use rustha_support::command::{self, Command, Output};
use rustha_support::Deadline;
use std::time::Duration;

pub const LVM: &str = "lvm";

/// Why an LVM command failed, in one line: the command and LVM's last message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LvmError(pub String);

impl std::fmt::Display for LvmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub struct Lvm<'a> {
    pub deadline: &'a Deadline,
}

impl Lvm<'_> {
    /// Run `lvm ARGS`; `Err` when it cannot run or does not finish in time.
    pub fn run(&self, args: &[&str]) -> Result<Output, LvmError> {
        let cmd = Command::new(LVM)
            .args(args.iter().copied())
            .env("LVM_SUPPRESS_FD_WARNINGS", "1");
        tracing::debug!("running lvm {}", args.join(" "));
        let out = command::run(&cmd, self.deadline).map_err(|e| LvmError(e.to_string()))?;
        if !out.success() {
            tracing::debug!(
                "lvm {} exited {}: {}",
                args.join(" "),
                out.code(),
                out.stderr.trim()
            );
        }
        Ok(out)
    }

    /// Run and require success; the error names the subcommand and LVM's last line.
    pub fn must(&self, args: &[&str]) -> Result<Output, LvmError> {
        let out = self.run(args)?;
        if out.success() {
            Ok(out)
        } else {
            Err(LvmError(format!(
                "{} failed ({}): {}",
                args.first().copied().unwrap_or("lvm"),
                out.code(),
                why_failed(&out)
            )))
        }
    }

    /// `vgs`/`lvs` as JSON rows (`kind` "vg" or "lv").
    pub fn report(&self, args: &[&str], kind: &str) -> Result<Vec<Row>, LvmError> {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--reportformat", "json"]);
        let out = self.must(&a)?;
        report::rows(&out.stdout, kind).map_err(|e| {
            LvmError(format!(
                "{}: cannot read its report: {e}",
                args.first().copied().unwrap_or("lvm")
            ))
        })
    }

    /// This node's system ID (`lvm systemid`: "  system ID: node1"); empty when none.
    pub fn system_id(&self) -> Result<String, LvmError> {
        let out = self.must(&["systemid"])?;
        Ok(parse_systemid(&out.stdout))
    }

    /// The settings that differ from LVM's defaults (`lvmconfig --typeconfig diff`): lvm.conf,
    /// lvmlocal.conf and profiles merged, as LVM itself reads them; one command for all checks.
    pub fn config_diff(&self) -> Result<ConfigTree, LvmError> {
        let out = self.must(&["lvmconfig", "--typeconfig", "diff"])?;
        crate::pvmeta::parse_text(&out.stdout)
            .map(ConfigTree)
            .map_err(|e| LvmError(format!("lvmconfig: cannot read its output: {e}")))
    }

    /// Whether `lvm CMD --help` lists `option` (capabilities differ across LVM versions).
    pub fn supports(&self, cmd: &str, option: &str) -> bool {
        self.run(&[cmd, "--help"])
            .map(|o| mentions_option(&o.stdout, option) || mentions_option(&o.stderr, option))
            .unwrap_or(false)
    }

    /// A deadline for a short query inside the operation's budget.
    pub fn capped(&self, d: Duration) -> Deadline {
        self.deadline.capped(d)
    }
}

/// lvm.conf settings (see [`Lvm::config_diff`]).
#[derive(Debug, Clone)]
pub struct ConfigTree(pub crate::pvmeta::Value);

impl ConfigTree {
    /// `section/name`, e.g. `global/system_id_source`.
    pub fn get(&self, path: &str) -> Option<&crate::pvmeta::Value> {
        let mut v = &self.0;
        for part in path.split('/') {
            v = v.get(part)?;
        }
        Some(v)
    }

    /// A setting as text (strings unquoted, numbers as digits).
    pub fn text(&self, path: &str) -> Option<String> {
        match self.get(path)? {
            crate::pvmeta::Value::Str(s) => Some(s.clone()),
            crate::pvmeta::Value::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A list setting's strings (empty when unset).
    /// lvmconfig prints a one-element list as a plain string (`global_filter="r|x|"`).
    pub fn strings(&self, path: &str) -> Vec<String> {
        match self.get(path) {
            Some(crate::pvmeta::Value::Str(s)) => vec![s.clone()],
            Some(v) => v.strings(),
            None => Vec::new(),
        }
    }

    pub fn is_set(&self, path: &str) -> bool {
        self.get(path).is_some()
    }
}

/// A system ID as LVM keeps it (`lib/misc/lvm-string.c` `system_id_from_string`): only
/// `[A-Za-z0-9_+.-]` survive, at most 127 characters.
pub fn clean_system_id(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+.-".contains(*c))
        .take(127)
        .collect()
}

pub fn parse_systemid(out: &str) -> String {
    out.lines()
        .find_map(|l| l.trim().strip_prefix("system ID:"))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// Whether help text lists `--option` as a whole word.
pub fn mentions_option(help: &str, option: &str) -> bool {
    help.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .any(|w| w == option)
}

/// LVM's reason for a failure in one line: its last message, unless an earlier one says that
/// another node holds a lock (lvmlockd: "LV locked by other host: vg/lv" comes before the
/// generic "Failed to lock logical volume vg/lv."), which is what the admin needs to see.
pub fn why_failed(out: &Output) -> String {
    match out.stderr.lines().find(|l| l.contains("by other host")) {
        Some(line) => one_line(line),
        None => one_line(out.last_line()),
    }
}

/// A message squeezed to one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The strings in an lvmconfig list value (`["@pacemaker","vg1"]`).
pub fn config_strings(v: &str) -> Vec<String> {
    crate::filter::lvmconfig_lists(&format!("x={v}"))
        .remove("x")
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dm::tests::fixture;

    #[test]
    fn recorded_outputs() {
        assert_eq!(parse_systemid(&fixture("lvm-systemid")), "vm1");
        assert_eq!(parse_systemid("  system ID: \n"), "");
        assert_eq!(parse_systemid(""), "");
        let help = fixture("vgchange-help");
        assert!(mentions_option(&help, "--setautoactivation"));
        assert!(!mentions_option(&help, "--majoritypvs"));
        assert!(!mentions_option(&help, "--setauto"));
        assert_eq!(
            config_strings("[\"@pacemaker\",\"vg1\"]"),
            ["@pacemaker", "vg1"]
        );
        assert_eq!(one_line("  a\n b  "), "a b");
        use std::os::unix::process::ExitStatusExt;
        let locked = Output {
            status: std::process::ExitStatus::from_raw(5 << 8),
            stdout: String::new(),
            stderr: fixture("lvchange-aey-locked"),
        };
        assert_eq!(why_failed(&locked), "LV locked by other host: vgld/ex");
        let plain = Output {
            stderr: "  Volume group \"x\" not found\n  Cannot process volume group x\n".into(),
            ..locked
        };
        assert_eq!(why_failed(&plain), "Cannot process volume group x");
        assert_eq!(clean_system_id("node 1.example:x"), "node1.examplex");
        let t = ConfigTree(
            crate::pvmeta::parse_text(
                "global {\n\tsystem_id_source=\"uname\"\n\tuse_lvmlockd=1\n}\nactivation {\n\tvolume_list=[\"@x\",\"vg1\"]\n}\n",
            )
            .unwrap(),
        );
        assert_eq!(t.text("global/system_id_source").as_deref(), Some("uname"));
        assert_eq!(t.text("global/use_lvmlockd").as_deref(), Some("1"));
        assert_eq!(t.strings("activation/volume_list"), ["@x", "vg1"]);
        assert!(!t.is_set("devices/filter"));
        let one = ConfigTree(
            crate::pvmeta::parse_text("devices {\nglobal_filter=\"r|^/dev/drbd|\"\n}").unwrap(),
        );
        assert_eq!(one.strings("devices/global_filter"), ["r|^/dev/drbd|"]);
        assert!(t.strings("devices/filter").is_empty());
    }
}
