// SPDX-License-Identifier: GPL-2.0-or-later
//! The options of crm-fence-peer.9.sh, each declared once: name, value, default, meaning.
//! The pure tier: parsing touches nothing.

use std::ffi::OsString;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Fence,
    Unfence,
}

impl Mode {
    /// As stock: the program's name decides (crm-unfence-peer.9.sh is a symlink).
    pub fn from_argv0(argv0: &str) -> Mode {
        let base = argv0.rsplit('/').next().unwrap_or(argv0);
        if base.contains("unfence") {
            Mode::Unfence
        } else {
            Mode::Fence
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub resource: Option<String>,
    pub master_id: Option<String>,
    pub role: String,
    pub fencing_attribute: String,
    pub id_prefix: String,
    pub timeout: u64,
    pub dc_timeout: u64,
    pub net_hickup: u64,
    pub flock_timeout: u64,
    pub flock_required: bool,
    pub lock_dir: String,
    pub lock_file: Option<String>,
    pub quiet: bool,
    pub unfence_only_if_owner_match: bool,
    pub cts_mode: bool,
    pub unreachable_peer_is_outdated: bool,
    pub suicide_on_failure_if_primary: bool,
    pub logfacility: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            resource: None,
            master_id: None,
            role: "Master".into(),
            fencing_attribute: "#uname".into(),
            id_prefix: drbd_status::fence::DEFAULT_PREFIX.into(),
            timeout: 90,
            dc_timeout: 20,
            net_hickup: 0,
            flock_timeout: 120,
            flock_required: false,
            lock_dir: "/run/drbd/lock".into(),
            lock_file: None,
            quiet: false,
            unfence_only_if_owner_match: false,
            cts_mode: false,
            unreachable_peer_is_outdated: false,
            suicide_on_failure_if_primary: false,
            logfacility: "local5".into(),
        }
    }
}

type Setter = fn(&mut Config, &str) -> Result<(), String>;

pub struct Opt {
    pub long: &'static str,
    pub short: Option<char>,
    /// Takes a value (`--timeout=90`, `--timeout 90`, `-t90`, `-t 90`).
    pub value: Option<&'static str>,
    pub doc: &'static str,
    set: Setter,
}

fn secs(v: &str) -> Result<u64, String> {
    v.parse::<u64>()
        .ok()
        .filter(|s| *s <= 86_400)
        .ok_or_else(|| format!("{v:?}: expected seconds (0-86400)"))
}

fn name(v: &str) -> Result<String, String> {
    if v.is_empty() || v.len() > 200 || v.chars().any(|c| c.is_control()) {
        return Err(format!(
            "{:?}: expected a non-empty name",
            v.chars().take(40).collect::<String>()
        ));
    }
    Ok(v.to_string())
}

/// Every option, in the order `--help` lists them.
pub const OPTIONS: &[Opt] = &[
    Opt {
        long: "resource",
        short: Some('r'),
        value: Some("RES"),
        doc: "DRBD resource (default: $DRBD_RESOURCE)",
        set: |c, v| {
            c.resource = Some(name(v)?);
            Ok(())
        },
    },
    Opt {
        long: "master-id",
        short: Some('i'),
        value: Some("ID"),
        doc: "promotable clone id (default: the clone whose primitive has drbd_resource=RES)",
        set: |c, v| {
            c.master_id = Some(name(v)?);
            Ok(())
        },
    },
    Opt {
        long: "role",
        short: Some('l'),
        value: Some("ROLE"),
        doc: "role the constraint forbids (default Master; Promoted for Pacemaker >= 2.1)",
        set: |c, v| match v {
            "Master" | "Promoted" => {
                c.role = v.into();
                Ok(())
            }
            _ => Err(format!("{v:?}: expected Master or Promoted")),
        },
    },
    Opt {
        long: "fencing-attribute",
        short: Some('a'),
        value: Some("ATTR"),
        doc: "node attribute naming the nodes (default #uname)",
        set: |c, v| {
            c.fencing_attribute = name(v)?;
            Ok(())
        },
    },
    Opt {
        long: "id-prefix",
        short: Some('p'),
        value: Some("PREFIX"),
        doc: "constraint id prefix (default drbd-fence-by-handler; -RES is appended)",
        set: |c, v| {
            c.id_prefix = name(v)?;
            Ok(())
        },
    },
    Opt {
        long: "timeout",
        short: Some('t'),
        value: Some("SECS"),
        doc: "overall time limit (default 90)",
        set: |c, v| {
            c.timeout = secs(v)?;
            Ok(())
        },
    },
    Opt {
        long: "dc-timeout",
        short: Some('d'),
        value: Some("SECS"),
        doc: "how long to wait for the CIB to answer (default 20)",
        set: |c, v| {
            c.dc_timeout = secs(v)?;
            Ok(())
        },
    },
    Opt {
        long: "net-hickup",
        short: None,
        value: Some("SECS"),
        doc: "wait this long for the peer to come back before fencing (default 0)",
        set: |c, v| {
            c.net_hickup = secs(v)?;
            Ok(())
        },
    },
    Opt {
        long: "flock-timeout",
        short: None,
        value: Some("SECS"),
        doc: "wait for the lock at most this long (default 120)",
        set: |c, v| {
            c.flock_timeout = secs(v)?;
            Ok(())
        },
    },
    Opt {
        long: "flock-required",
        short: None,
        value: None,
        doc: "give up (exit 1) when the lock cannot be taken",
        set: |c, _| {
            c.flock_required = true;
            Ok(())
        },
    },
    Opt {
        long: "lock-dir",
        short: None,
        value: Some("DIR"),
        doc: "directory of the lock file (default /run/drbd/lock)",
        set: |c, v| {
            c.lock_dir = name(v)?;
            Ok(())
        },
    },
    Opt {
        long: "lock-file",
        short: None,
        value: Some("FILE"),
        doc: "lock file (default DIR/fence.RES; NONE: no lock)",
        set: |c, v| {
            c.lock_file = Some(name(v)?);
            Ok(())
        },
    },
    Opt {
        long: "quiet",
        short: None,
        value: None,
        doc: "log only to syslog",
        set: |c, _| {
            c.quiet = true;
            Ok(())
        },
    },
    Opt {
        long: "unfence-only-if-owner-match",
        short: None,
        value: None,
        doc: "unfence only when the constraint allows this node",
        set: |c, _| {
            c.unfence_only_if_owner_match = true;
            Ok(())
        },
    },
    Opt {
        long: "CTS-mode",
        short: None,
        value: None,
        doc: "accepted for compatibility (no effect)",
        set: |c, _| {
            c.cts_mode = true;
            Ok(())
        },
    },
    Opt {
        long: "unreachable-peer-is-outdated",
        short: None,
        value: None,
        doc: "an unreachable peer counts as outdated (only from a terminal, as stock)",
        set: |c, _| {
            c.unreachable_peer_is_outdated = true;
            Ok(())
        },
    },
    Opt {
        long: "suicide-on-failure-if-primary",
        short: None,
        value: None,
        doc: "when fencing fails on a Primary, ask Pacemaker to terminate this node",
        set: |c, _| {
            c.suicide_on_failure_if_primary = true;
            Ok(())
        },
    },
    Opt {
        long: "logfacility",
        short: None,
        value: Some("FACILITY"),
        doc: "syslog facility (default local5)",
        set: |c, v| {
            c.logfacility = name(v)?;
            Ok(())
        },
    },
];

/// Parse arguments (without the program name). An unknown option or a bad value is an error
/// naming it.
pub fn parse(args: &[OsString], base: Config) -> Result<Config, String> {
    let mut c = base;
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.to_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{:?}: not UTF-8", a.to_string_lossy()))
        })
        .collect::<Result<_, _>>()?;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        let (opt, inline): (&Opt, Option<String>) = if let Some(long) = a.strip_prefix("--") {
            let (n, v) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let o = OPTIONS
                .iter()
                .find(|o| o.long == n)
                .ok_or_else(|| format!("--{n}: unknown option"))?;
            (o, v)
        } else if let Some(s) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let ch = s.chars().next().unwrap_or('-');
            let o = OPTIONS
                .iter()
                .find(|o| o.short == Some(ch))
                .ok_or_else(|| format!("-{ch}: unknown option"))?;
            let rest = &s[ch.len_utf8()..];
            (o, (!rest.is_empty()).then(|| rest.to_string()))
        } else {
            return Err(format!("{a:?}: unexpected argument"));
        };
        let value = match (opt.value, inline) {
            (Some(_), Some(v)) => v,
            (Some(meta), None) => {
                let v = args
                    .get(i)
                    .ok_or_else(|| format!("--{} needs a value ({meta})", opt.long))?;
                i += 1;
                v.clone()
            }
            (None, Some(_)) => return Err(format!("--{} takes no value", opt.long)),
            (None, None) => String::new(),
        };
        (opt.set)(&mut c, &value).map_err(|e| format!("--{}={e}", opt.long))?;
    }
    Ok(c)
}

pub fn help(mode: Mode) -> String {
    let mut s = format!(
        "usage: {} [OPTION]...\n\
         DRBD {} handler for Pacemaker (drop-in for crm-{}-peer.9.sh; --man: the manual). Run by drbdadm with\n\
         DRBD_RESOURCE set; exit codes to DRBD: 4 peer outdated, 5 peer unreachable, 7 peer fenced,\n\
         1 nothing done.\n\n",
        if mode == Mode::Fence { "rustha-fence-peer" } else { "rustha-unfence-peer" },
        if mode == Mode::Fence { "fence-peer" } else { "unfence-peer" },
        if mode == Mode::Fence { "fence" } else { "unfence" },
    );
    for o in OPTIONS {
        let short = o.short.map(|c| format!("-{c}, ")).unwrap_or_default();
        let val = o.value.map(|v| format!("={v}")).unwrap_or_default();
        s.push_str(&format!("  {short}--{}{val}\n      {}\n", o.long, o.doc));
    }
    s
}

/// The manual page (roff, section 8), from the same [`OPTIONS`] as `--help`.
pub fn man(mode: Mode) -> String {
    use rustha_support::roff::{escape, escape_line};
    let (name, handler, stock) = match mode {
        Mode::Fence => ("rustha-fence-peer", "fence-peer", "crm-fence-peer.9.sh"),
        Mode::Unfence => (
            "rustha-unfence-peer",
            "unfence-peer",
            "crm-unfence-peer.9.sh",
        ),
    };
    let mut s = format!(
        ".TH {} 8 \"\" \"rustha\" \"System Administration\"\n.SH NAME\n{}\n.SH SYNOPSIS\n.B {}\n[OPTION]...\n.SH DESCRIPTION\n",
        name.to_uppercase().replace('-', "\\-"),
        escape_line(&format!(
            "{name} - DRBD {handler} handler for Pacemaker, a drop-in for {stock}"
        )),
        escape_line(name),
    );
    s.push_str(&escape(
        "Run by drbdadm as a DRBD handler, with DRBD_RESOURCE (and DRBD_PEER_NODE_ID and the \
         other DRBD_* variables) in the environment. One program: a name containing \"unfence\" \
         removes the constraint, any other name places it, as stock's symlinks.\n\n\
         fence-peer: when the replication link is lost, DRBD freezes I/O and runs the handler. \
         It reads the local DRBD state and the CIB, waits until the peer is either reachable \
         (a cluster member) or fenced, and places the location constraint \
         drbd-fence-by-handler-RES-MASTER_ID: the promotable clone may be promoted (role \
         Master/Promoted) on no node but the UpToDate ones. The whole run is bounded by \
         --timeout; the CIB is changed with cibadmin, run directly with deadlines.\n\n\
         unfence-peer (after-resync-target, or unfence-peer in DRBD 9): removes the \
         constraint once the local and the peer disks are all UpToDate.",
    ));
    s.push_str(".SH OPTIONS\n");
    for o in OPTIONS {
        let short = o.short.map(|c| format!("\\-{c}, ")).unwrap_or_default();
        let val = o.value.map(|v| format!("={v}")).unwrap_or_default();
        s.push_str(&format!(
            ".TP\n.B {short}\\-\\-{}{}\n{}",
            escape_line(o.long),
            escape_line(&val),
            escape(o.doc)
        ));
    }
    s.push_str(
        ".SH EXIT STATUS\n\
         To DRBD, as stock: 4 the peer is reachable and its promotion is forbidden; 5 the peer is \
         unreachable (the constraint placed only when this node is UpToDate); 7 the peer was \
         fenced; 1 nothing placed (no quorum, all peer disks UpToDate, the CIB not answering, no \
         promotable clone for the resource, a bad option). unfence-peer: 0 when the constraint \
         is gone or was never there.\n\
         .SH FILES\n/run/drbd/lock/fence.RES (the lock)\n\
         .SH EXAMPLES\n.nf\nresource r0 {\n  disk { fencing resource\\-and\\-stonith; }\n  handlers {\n    \
         fence\\-peer \"/usr/lib/drbd/rustha\\-fence\\-peer\";\n    \
         after\\-resync\\-target \"/usr/lib/drbd/rustha\\-unfence\\-peer\";\n  }\n}\n.fi\n\
         .SH SEE ALSO\ndrbd.conf(5), drbdadm(8), ocf_rustha_drbd(7), cibadmin(8)\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Config, String> {
        parse(
            &args.iter().map(OsString::from).collect::<Vec<_>>(),
            Config::default(),
        )
    }

    #[test]
    fn defaults_as_stock() {
        let c = p(&[]).unwrap();
        assert_eq!((c.timeout, c.dc_timeout, c.flock_timeout), (90, 20, 120));
        assert_eq!(c.role, "Master");
        assert_eq!(c.fencing_attribute, "#uname");
        assert_eq!(c.id_prefix, "drbd-fence-by-handler");
    }

    #[test]
    fn every_spelling_of_a_value() {
        for args in [
            &["--timeout=30"][..],
            &["--timeout", "30"],
            &["-t30"],
            &["-t", "30"],
        ] {
            assert_eq!(p(args).unwrap().timeout, 30, "{args:?}");
        }
        let c = p(&[
            "-r",
            "r0",
            "--master-id=ms",
            "--quiet",
            "--flock-required",
            "-l",
            "Promoted",
        ])
        .unwrap();
        assert_eq!(c.resource.as_deref(), Some("r0"));
        assert_eq!(c.master_id.as_deref(), Some("ms"));
        assert!(c.quiet && c.flock_required);
        assert_eq!(c.role, "Promoted");
    }

    #[test]
    fn errors_name_the_bad_value() {
        assert_eq!(p(&["--bogus"]).unwrap_err(), "--bogus: unknown option");
        assert_eq!(p(&["-x"]).unwrap_err(), "-x: unknown option");
        assert!(p(&["--timeout=abc"])
            .unwrap_err()
            .contains("\"abc\": expected seconds"));
        assert!(p(&["--timeout"]).unwrap_err().contains("needs a value"));
        assert!(p(&["--quiet=1"]).unwrap_err().contains("takes no value"));
        assert!(p(&["--role=Slave"])
            .unwrap_err()
            .contains("Master or Promoted"));
        assert!(p(&["stray"]).unwrap_err().contains("unexpected argument"));
        assert!(p(&["-r", ""]).is_err());
    }

    #[test]
    fn mode_from_the_program_name() {
        assert_eq!(
            Mode::from_argv0("/usr/lib/drbd/crm-fence-peer.9.sh"),
            Mode::Fence
        );
        assert_eq!(
            Mode::from_argv0("/usr/lib/drbd/crm-unfence-peer.9.sh"),
            Mode::Unfence
        );
        assert_eq!(Mode::from_argv0("rustha-unfence-peer"), Mode::Unfence);
        assert_eq!(Mode::from_argv0("rustha-fence-peer"), Mode::Fence);
        assert_eq!(Mode::from_argv0(""), Mode::Fence);
    }

    #[test]
    fn man_page_lists_every_option_and_is_roff() {
        for mode in [Mode::Fence, Mode::Unfence] {
            let m = man(mode);
            assert!(m.starts_with(".TH RUSTHA\\-"), "{m}");
            for o in OPTIONS {
                assert!(
                    m.contains(&format!("\\-\\-{}", o.long.replace('-', "\\-"))),
                    "{}",
                    o.long
                );
            }
            // no line may start with a stray control character from the text
            assert!(m.lines().all(|l| !l.starts_with('\'')), "{m}");
        }
        assert!(man(Mode::Unfence).contains("rustha\\-unfence\\-peer \\- DRBD unfence\\-peer"));
    }

    #[test]
    fn help_lists_every_option() {
        let h = help(Mode::Fence);
        for o in OPTIONS {
            assert!(h.contains(&format!("--{}", o.long)));
        }
    }
}
