// SPDX-License-Identifier: GPL-2.0-or-later
//! rustha-migrate — heartbeat v1 and cman configurations to Pacemaker with rustha's agents.
//!
//!     rustha-migrate haresources [--ha-cf FILE] [--pcs|--cib] [--init lsb|systemd] [--no-verify] FILE
//!     rustha-migrate cluster-conf [--pcs|--cib] [--init lsb|systemd] [--no-verify] FILE
//!
//! Prints the configuration on stdout (`crm configure load update -` text by default), lists
//! whatever it could not translate (in the output's header and on stderr), and before saying it
//! succeeded puts the result into a scratch CIB and runs `crm_verify` on it.

use rustha_migrate::heartbeat::{Host, Options, ScriptKind};
use rustha_migrate::model::Config;
use rustha_migrate::{cman, heartbeat, render};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Exit codes: the whole configuration translated and verified; a failure (unreadable input,
/// rejected by crm_verify); bad usage; translated and verified, but some items left out.
const EXIT_OK: i32 = 0;
const EXIT_FAILURE: i32 = 1;
const EXIT_USAGE: i32 = 2;
const EXIT_PARTIAL: i32 = 3;

/// Every option, declared once: name, argument, help.
const OPTIONS: &[(&str, &str, &str)] = &[
    (
        "--ha-cf",
        "FILE",
        "heartbeat's ha.cf: nodes, auto_failback, stonith/stonith_host (haresources only)",
    ),
    (
        "--pcs",
        "",
        "print pcs commands instead of crm configure text",
    ),
    (
        "--cib",
        "",
        "print the CIB XML that crm_verify checked (for cibadmin --replace)",
    ),
    (
        "--init",
        "lsb|systemd",
        "make every init script this kind (default: what exists here, else lsb)",
    ),
    (
        "--no-verify",
        "",
        "do not run crm_verify (the output is then unchecked, and says so)",
    ),
    ("--help", "", "this help"),
    ("--version", "", "the version"),
    ("--man", "", "the manual page (roff)"),
];

const LIMIT: u64 = 4 << 20; // bytes read from any input file

fn usage() -> String {
    let mut s = String::from(
        "usage: rustha-migrate haresources [--ha-cf FILE] [OPTIONS] FILE\n       rustha-migrate cluster-conf [OPTIONS] FILE\n\n",
    );
    for (n, a, h) in OPTIONS {
        let left = if a.is_empty() {
            n.to_string()
        } else {
            format!("{n} {a}")
        };
        s.push_str(&format!("  {left:<22}{h}\n"));
    }
    s.push_str(
        "\nExit status: 0 translated and verified; 3 translated and verified but some items were left\nout (listed); 1 failure (unreadable input, crm_verify rejected the result); 2 bad usage.\n",
    );
    s
}

fn man() -> String {
    let mut s = String::from(
        ".TH RUSTHA-MIGRATE 1 \"\" \"rustha\" \"User Commands\"\n.SH NAME\nrustha-migrate \\- move heartbeat v1 and cman configurations to Pacemaker with rustha's agents\n.SH SYNOPSIS\n.B rustha-migrate haresources\n[\\-\\-ha\\-cf FILE] [OPTIONS] FILE\n.br\n.B rustha-migrate cluster-conf\n[OPTIONS] FILE\n.SH DESCRIPTION\n",
    );
    s.push_str(
        "haresources: one group per haresources line, in order, preferring the line's node (score 100); auto_failback off becomes resource-stickiness=200; IPaddr, IPaddr2, Filesystem, LVM become ocf:rustha agents with the same values; drbddisk::RES becomes a promotable ocf:rustha:drbd clone that the group starts after (order) and runs with (colocation); OCF::type::instance reads its parameters from conf/OCF/type/instance beside haresources; init scripts become lsb: or systemd: resources; stonith_host and stonith lines become stonith resources (external/fence_na: fence_na with pcmk_host_map; external/ipmi: fence_ipmilan_rs; other plugins kept as cluster-glue plugins).\n.PP\ncluster-conf: each fencedevice becomes a stonith resource (fence_na and fence_ipmilan as rustha's) with pcmk_host_map from the nodes' device ports (action=off: pcmk_reboot_action=off); several methods become fencing levels; each service becomes a group of its ip, fs, lvm and script resources in rgmanager's start order, located by its failover domain (ordered priorities as scores, restricted as a rule, nofailback as stickiness).\n.PP\nAnything that cannot be translated is listed with its line and the reason, in the output's header and on standard error; nothing is dropped silently. Before reporting success the result is put into a scratch CIB (from cibadmin \\-\\-empty) and checked with crm_verify. Passwords never appear in messages, and the pcs form sets them with cibadmin from a here-document, never on a command line.\n.SH OPTIONS\n",
    );
    for (n, a, h) in OPTIONS {
        s.push_str(&format!(
            ".TP\n.B {}{}\n{h}\n",
            n.replace('-', "\\-"),
            if a.is_empty() {
                String::new()
            } else {
                format!(" {a}")
            }
        ));
    }
    s.push_str(".SH EXIT STATUS\n0 translated and verified; 3 translated and verified, but some items were left out (listed); 1 failure; 2 bad usage.\n.SH EXAMPLES\n.nf\nrustha-migrate haresources \\-\\-ha\\-cf /etc/ha.d/ha.cf /etc/ha.d/haresources > cluster.crm\ncrm configure load update cluster.crm\nrustha-migrate cluster-conf \\-\\-pcs /etc/cluster/cluster.conf > migrate.sh\n.fi\n.SH SEE ALSO\ncrm(8), pcs(8), crm_verify(8), docs/migration.md\n");
    s
}

#[derive(Debug, PartialEq, Eq)]
enum Format {
    Crm,
    Pcs,
    Cib,
}

#[derive(Debug)]
struct Args {
    mode: String,
    file: PathBuf,
    ha_cf: Option<PathBuf>,
    format: Format,
    init: Option<ScriptKind>,
    verify: bool,
}

enum Parsed {
    Run(Args),
    Print(String),
}

/// The pure argument tier: argv (without the program name) to what to do.
fn parse_args(argv: &[String]) -> Result<Parsed, String> {
    let mut mode: Option<String> = None;
    let mut file: Option<PathBuf> = None;
    let mut ha_cf = None;
    let mut format = Format::Crm;
    let mut init = None;
    let mut verify = true;
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        match name {
            "--help" | "-h" => return Ok(Parsed::Print(usage())),
            "--version" | "-V" => {
                return Ok(Parsed::Print(format!(
                    "rustha-migrate {}\n",
                    env!("CARGO_PKG_VERSION")
                )))
            }
            "--man" => return Ok(Parsed::Print(man())),
            "--ha-cf" => ha_cf = Some(PathBuf::from(value("a file")?)),
            "--pcs" => format = Format::Pcs,
            "--cib" => format = Format::Cib,
            "--no-verify" => verify = false,
            "--init" => {
                init = Some(match value("lsb or systemd")?.as_str() {
                    "lsb" => ScriptKind::Lsb,
                    "systemd" => ScriptKind::Systemd,
                    other => {
                        return Err(format!("--init '{}': expected lsb or systemd", clip(other)))
                    }
                })
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(format!("unknown option '{}'", clip(s)))
            }
            s if mode.is_none() => {
                if s != "haresources" && s != "cluster-conf" {
                    return Err(format!(
                        "unknown command '{}': expected haresources or cluster-conf",
                        clip(s)
                    ));
                }
                mode = Some(s.to_string());
            }
            s if file.is_none() => file = Some(PathBuf::from(s)),
            s => return Err(format!("unexpected argument '{}'", clip(s))),
        }
    }
    let mode = mode.ok_or("no command: expected haresources or cluster-conf")?;
    let file = file.ok_or_else(|| format!("{mode} needs a FILE"))?;
    if ha_cf.is_some() && mode != "haresources" {
        return Err("--ha-cf goes with haresources".into());
    }
    Ok(Parsed::Run(Args {
        mode,
        file,
        ha_cf,
        format,
        init,
        verify,
    }))
}

/// A value for a message: at most 64 characters, control characters escaped.
fn clip(s: &str) -> String {
    let mut o: String = s.chars().take(64).flat_map(char::escape_default).collect();
    if s.chars().count() > 64 {
        o.push('…');
    }
    o
}

fn read(path: &Path) -> Result<String, String> {
    let f = std::fs::File::open(path)
        .map_err(|e| format!("{}: {e}", clip(&path.display().to_string())))?;
    let mut buf = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(f, LIMIT + 1), &mut buf)
        .map_err(|e| format!("{}: {e}", clip(&path.display().to_string())))?;
    if buf.len() as u64 > LIMIT {
        return Err(format!(
            "{}: larger than {} bytes",
            clip(&path.display().to_string()),
            LIMIT
        ));
    }
    String::from_utf8(buf)
        .map_err(|_| format!("{}: not UTF-8 text", clip(&path.display().to_string())))
}

/// Run a program (never through a shell) with a deadline; its status and output.
fn run(prog: &str, args: &[&str], limit: Duration) -> Result<(i32, String, String), String> {
    let mut child = Command::new(prog)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{prog}: {e}"))?;
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = std::io::Read::read_to_string(&mut std::io::Read::take(o, LIMIT), &mut s);
        }
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = std::io::Read::read_to_string(&mut std::io::Read::take(e, LIMIT), &mut s);
        }
        s
    });
    let end = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| format!("{prog}: {e}"))? {
            break s;
        }
        if Instant::now() >= end {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{prog} did not finish within {} s",
                limit.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok((
        status.code().unwrap_or(-1),
        t_out.join().unwrap_or_default(),
        t_err.join().unwrap_or_default(),
    ))
}

/// The machine this runs on, for the translators' questions.
struct LocalHost {
    ha_dir: PathBuf,
}

impl Host for LocalHost {
    fn script_kind(&self, name: &str) -> ScriptKind {
        if self.ha_dir.join("resource.d").join(name).is_file() {
            return ScriptKind::HeartbeatScript;
        }
        if Path::new("/etc/init.d").join(name).is_file() {
            return ScriptKind::Lsb;
        }
        let unit = format!("{name}.service");
        for d in [
            "/etc/systemd/system",
            "/lib/systemd/system",
            "/usr/lib/systemd/system",
        ] {
            if Path::new(d).join(&unit).exists() {
                return ScriptKind::Systemd;
            }
        }
        ScriptKind::Unknown
    }
    fn read_file(&self, path: &str) -> Option<String> {
        read(Path::new(path)).ok()
    }
    fn stonith_confignames(&self, kind: &str) -> Option<Vec<String>> {
        let (rc, out, _) = run("stonith", &["-t", kind, "-n"], Duration::from_secs(10)).ok()?;
        (rc == 0).then(|| out.split_whitespace().map(String::from).collect())
    }
}

/// Put the configuration into a scratch CIB and run crm_verify on it; the CIB on success.
fn verify(c: &Config) -> Result<String, String> {
    let (rc, empty, err) = run("cibadmin", &["--empty"], Duration::from_secs(20)).map_err(|e| {
        format!("cannot make a scratch CIB: {e} (install pacemaker-cli-utils, or --no-verify)")
    })?;
    if rc != 0 {
        return Err(format!(
            "cibadmin --empty failed ({rc}): {}",
            clip(err.trim())
        ));
    }
    let (Some(a), Some(b)) = (
        empty.find("<configuration"),
        empty.rfind("</configuration>"),
    ) else {
        return Err("cibadmin --empty printed no <configuration>".into());
    };
    let cib = format!(
        "{}{}{}",
        &empty[..a],
        render::cib_configuration(c),
        &empty[b + "</configuration>".len()..]
    );
    // the scratch file holds passwords: private, created new, removed whatever happens
    let path = std::env::temp_dir().join(format!(
        "rustha-migrate-{}-{}.xml",
        std::process::id(),
        nanos()
    ));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode_private()
        .open(&path)
        .map_err(|e| format!("scratch CIB {}: {e}", path.display()))?;
    let written = f.write_all(cib.as_bytes());
    drop(f);
    let result = written
        .map_err(|e| format!("scratch CIB {}: {e}", path.display()))
        .and_then(|_| {
            run(
                "crm_verify",
                &["--xml-file", &path.to_string_lossy(), "-V"],
                Duration::from_secs(60),
            )
        });
    let _ = std::fs::remove_file(&path);
    let (rc, out, err) =
        result.map_err(|e| format!("{e} (install pacemaker-cli-utils, or --no-verify)"))?;
    if rc != 0 {
        let detail: Vec<String> = out
            .lines()
            .chain(err.lines())
            .filter(|l| !l.trim().is_empty())
            .take(8)
            .map(|l| clip(l.trim()))
            .collect();
        return Err(format!(
            "crm_verify rejected the result (exit {rc}): {}",
            detail.join(" | ")
        ));
    }
    Ok(cib)
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

trait PrivateMode {
    fn mode_private(&mut self) -> &mut Self;
}
impl PrivateMode for std::fs::OpenOptions {
    fn mode_private(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(0o600)
    }
}

/// Each item left out, one stderr line: where, what, why.
fn report_untranslated(config: &Config) {
    for u in &config.untranslated {
        eprintln!(
            "rustha-migrate: NOT TRANSLATED {}: {}: {}",
            u.source,
            clip(&u.item),
            u.reason
        );
    }
}

fn real_main(argv: &[String]) -> i32 {
    let args = match parse_args(argv) {
        Ok(Parsed::Print(s)) => {
            print!("{s}");
            return EXIT_OK;
        }
        Ok(Parsed::Run(a)) => a,
        Err(e) => {
            eprintln!("rustha-migrate: {e}\n{}", usage());
            return EXIT_USAGE;
        }
    };
    let text = match read(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("rustha-migrate: {e}");
            return EXIT_FAILURE;
        }
    };
    let ha_dir = args
        .file
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let host = LocalHost {
        ha_dir: ha_dir.clone(),
    };
    let mut config = if args.mode == "haresources" {
        let ha_cf = match &args.ha_cf {
            Some(p) => match read(p) {
                Ok(t) => Some(t),
                Err(e) => {
                    eprintln!("rustha-migrate: {e}");
                    return EXIT_FAILURE;
                }
            },
            None => None,
        };
        let opts = Options {
            init: args.init,
            ha_dir: Some(ha_dir.to_string_lossy().into_owned()),
        };
        heartbeat::translate(&text, ha_cf.as_deref(), &host, &opts)
    } else {
        cman::translate(&text, &host, args.init)
    };
    let cib = if args.verify {
        match verify(&config) {
            Ok(cib) => Some(cib),
            Err(e) => {
                eprintln!("rustha-migrate: {e}");
                report_untranslated(&config);
                return EXIT_FAILURE;
            }
        }
    } else {
        config.note("not checked with crm_verify (--no-verify)");
        None
    };
    let out = match args.format {
        Format::Crm => render::crm(&config),
        Format::Pcs => render::pcs(&config),
        Format::Cib => cib.unwrap_or_else(|| render::cib_configuration(&config)) + "\n",
    };
    if std::io::stdout()
        .write_all(out.as_bytes())
        .and_then(|_| std::io::stdout().flush())
        .is_err()
    {
        eprintln!("rustha-migrate: cannot write the output");
        return EXIT_FAILURE;
    }
    let fences = config
        .primitives
        .iter()
        .filter(|p| p.agent.is_stonith())
        .count();
    let summary = format!(
        "{} resource(s), {} group(s), {} promotable clone(s), {} fence device(s), {} constraint(s)",
        config.primitives.len() - fences,
        config.groups.len(),
        config.promotables.len(),
        fences,
        config.constraints.len()
    );
    report_untranslated(&config);
    let checked = if args.verify {
        "crm_verify accepts it"
    } else {
        "NOT checked (--no-verify)"
    };
    if config.untranslated.is_empty() {
        eprintln!("rustha-migrate: translated: {summary}; {checked}");
        EXIT_OK
    } else {
        eprintln!(
            "rustha-migrate: translated with {} item(s) left out (listed above): {summary}; {checked}",
            config.untranslated.len()
        );
        EXIT_PARTIAL
    }
}

fn main() {
    // arguments as OS strings: a non-UTF-8 word is a usage error, never a panic
    let argv: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect();
    let code = match argv {
        Ok(a) => real_main(&a),
        Err(bad) => {
            eprintln!(
                "rustha-migrate: argument '{}' is not UTF-8",
                clip(&bad.to_string_lossy())
            );
            EXIT_USAGE
        }
    };
    std::process::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn arguments() {
        let Ok(Parsed::Run(a)) = parse_args(&v(&[
            "haresources",
            "--ha-cf=/etc/ha.d/ha.cf",
            "--pcs",
            "hr",
        ])) else {
            panic!()
        };
        assert_eq!(
            (a.mode.as_str(), a.format, a.ha_cf.unwrap()),
            ("haresources", Format::Pcs, PathBuf::from("/etc/ha.d/ha.cf"))
        );
        let Ok(Parsed::Run(a)) = parse_args(&v(&[
            "cluster-conf",
            "--init",
            "systemd",
            "--no-verify",
            "c",
        ])) else {
            panic!()
        };
        assert_eq!((a.init, a.verify), (Some(ScriptKind::Systemd), false));
        for bad in [
            &["x"][..],
            &["haresources"],
            &["haresources", "--frob", "f"],
            &["cluster-conf", "--ha-cf", "x", "f"],
            &["haresources", "a", "b"],
            &["haresources", "--init", "upstart", "f"],
            &["haresources", "--ha-cf"],
        ] {
            assert!(parse_args(&v(bad)).is_err(), "{bad:?}");
        }
        assert!(matches!(parse_args(&v(&["--help"])), Ok(Parsed::Print(_))));
        assert!(man().contains(".SH EXIT STATUS"));
    }

    #[test]
    fn clip_bounds_and_escapes() {
        assert_eq!(clip("a\nb"), "a\\nb");
        assert_eq!(clip(&"x".repeat(100)).chars().count(), 65);
    }
}
