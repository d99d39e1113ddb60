// SPDX-License-Identifier: GPL-2.0-or-later
//! `na-sim`: run a simulated Node Assassin. Each option is declared once, in `OPTIONS`; `--help`
//! and the manual page (`--man`) are rendered from it and from `TOPICS`.

use na_sim::{Config, Faults, Sim, MAX_LINE};
use rustha_support::roff;
use rustha_support::text::shown;
use std::fmt::Write as _;
use std::time::Duration;

/// One command-line option: its name, its value's placeholder (None for a flag), its help
/// (one paragraph; `--help` wraps it, the man page lets troff do so).
struct Opt {
    name: &'static str,
    short: Option<&'static str>,
    value: Option<&'static str>,
    help: &'static str,
}

const OPTIONS: &[Opt] = &[
    Opt {
        name: "--listen",
        short: None,
        value: Some("ADDR:PORT"),
        help: "Address to listen on (default 127.0.0.1:238; port 0 picks a free one).",
    },
    Opt {
        name: "--nodes",
        short: None,
        value: Some("N"),
        help: "Number of simulated nodes, 1..99 (default 4).",
    },
    Opt {
        name: "--initial",
        short: None,
        value: Some("on|off"),
        help: "Power state of the nodes at start (default on).",
    },
    Opt {
        name: "--on-cmd",
        short: None,
        value: Some("'CMD ARGS'"),
        help: "Run when a node gains power; split into words, no shell; {node} becomes the \
               two-digit node number, {num} the plain number.",
    },
    Opt {
        name: "--off-cmd",
        short: None,
        value: Some("'CMD ARGS'"),
        help: "Run when a node loses power.",
    },
    Opt {
        name: "--power-dir",
        short: None,
        value: Some("DIR"),
        help: "Keep DIR/NN holding 'on' or 'off' for each node.",
    },
    Opt {
        name: "--boot-ms",
        short: None,
        value: Some("MS"),
        help: "Power button on a node without power: its power feed rises this long after the \
               press starts (default 500; an ATX power supply starts while the button is down).",
    },
    Opt {
        name: "--off-ms",
        short: None,
        value: Some("MS"),
        help: "Power switch held (NN:1, NN:3): the power feed drops after this (default 500).",
    },
    Opt {
        name: "--shutdown-ms",
        short: None,
        value: Some("MS"),
        help: "Power button on a running node (ACPI shutdown): the feed drops this long after \
               the press starts (default 2000).",
    },
    Opt {
        name: "--press-ms",
        short: None,
        value: Some("MS"),
        help: "Length of a power button press (NN:2); the reply comes when the press ends \
               (default 1000).",
    },
    Opt {
        name: "--forcedown-ms",
        short: None,
        value: Some("MS"),
        help: "How long NN:3 holds the power button (default 5000).",
    },
    Opt {
        name: "--no-commas",
        short: None,
        value: None,
        help: "Node lines 'P0 R0 F1' instead of the default 'P0, R0, F1'. The original fence_na \
               1.1.6 agent reads only the comma form: do not use this option with it.",
    },
    Opt {
        name: "--max-connections",
        short: None,
        value: Some("N"),
        help: "Clients served at once (default 64). When all are open, the connection idle \
               longest is closed to admit a new client.",
    },
    Opt {
        name: "--idle-timeout-s",
        short: None,
        value: Some("S"),
        help: "Close a connection that sent nothing for S seconds (default 120).",
    },
    Opt {
        name: "--fault",
        short: None,
        value: Some("F"),
        help: "Misbehave (repeatable): drop-mid-reply, no-eom, slow=MS, refuse, \
               close-after-reply (one command per connection; not an error).",
    },
    Opt {
        name: "--port-file",
        short: None,
        value: Some("FILE"),
        help: "Write the bound port number to FILE once listening.",
    },
    Opt {
        name: "--man",
        short: None,
        value: None,
        help: "Print this manual page (troff) and exit.",
    },
    Opt {
        name: "--help",
        short: Some("-h"),
        value: None,
        help: "Print the help and exit.",
    },
    Opt {
        name: "--version",
        short: Some("-V"),
        value: None,
        help: "Print the version and exit.",
    },
];

const NAME: &str = "na-sim - a simulated Node Assassin fence device (TNAP 1.1.x over TCP)";
const DESCRIPTION: &str = "A test tool: a Node Assassin (an open-hardware fence device that \
                           holds each node's power and reset buttons and senses its power feed) \
                           simulated on TCP, for testing fence agents without the hardware.";
const SYNOPSIS: &str = "na-sim [--listen ADDR:PORT] [--nodes N] [OPTIONS]";

/// The text after the options, shared by `--help` and the man page: (heading, paragraphs).
fn topics() -> Vec<(&'static str, Vec<String>)> {
    vec![
        (
            "PROTOCOL",
            vec![
                "A client sends NN:S and a newline; every reply ends with a line EOM. \
                 00:0 lists the node states, 00:1 the device information; for node NN \
                 (01..N): NN:0 releases the power and reset switches, NN:1 fences (holds \
                 power off, locks the front panel), NN:2 presses the power button, NN:3 \
                 forces the node off without the lock. No telnet negotiation is needed \
                 (any is ignored)."
                    .into(),
            ],
        ),
        (
            "NODE LINES",
            vec![
                "A state reply has one line per node: '- Node 01: P0, R0, F1' (power switch, \
                 reset switch, power feed; 1 = closed or powered). This comma form is the \
                 default because the original fence_na 1.1.6 agent, the only surviving client \
                 of real devices, parses nothing else; rustha's fence_na reads both forms."
                    .into(),
            ],
        ),
        (
            "TIMING",
            vec![
                "The defaults are what the 1.1.6 agent's fixed waits expect of a real device: \
                 NN:2 holds the button for the press time and answers when it is released, \
                 and a booting node's power feed rises during the press, so it is up when \
                 the 1.1.6 agent reads it 1 s after the reply. NN:1 answers at once and the \
                 feed drops after --off-ms. Queries are answered at once, also while another \
                 client's press is in progress."
                    .into(),
            ],
        ),
        (
            "LIMITS",
            vec![
                "At most --max-connections clients are served at once (64). When all are open, \
                 the connection idle longest is closed to admit a new client, so silent \
                 clients cannot lock the others out; a connection in the middle of a command \
                 is never closed (when every one is, the new client is reset). A connection \
                 that sent nothing for --idle-timeout-s (120 s) is closed."
                    .into(),
                format!(
                    "A line is at most {MAX_LINE} bytes; a longer one gets an error reply and \
                     the connection is closed. A line with a byte that is not printable ASCII \
                     (a control character, DEL, a byte above 127) is refused as a whole: \
                     'Invalid command: non-printable byte 0x01 at column 2 of 5 ...' and EOM, \
                     and nothing is done. Empty lines get no reply."
                ),
            ],
        ),
        (
            "LOG",
            vec![
                "On stderr, one line per event: listening, node commands, power feed changes, \
                 refused lines and connections, failed power commands (their output escaped \
                 and shortened)."
                    .into(),
            ],
        ),
        (
            "EXAMPLE",
            vec![
                "na-sim --listen 127.0.0.1:2380 --nodes 2 --off-cmd 'logger node {node} off'"
                    .into(),
                "fence_na --ip 127.0.0.1 --ipport 2380 --plug 2 --action off".into(),
            ],
        ),
        (
            "EXIT STATUS",
            vec![
                "0 after --help, --man or --version; 1 when it cannot listen or write the port \
                 file; 2 for a bad option. Otherwise it runs until killed."
                    .into(),
            ],
        ),
        ("SEE ALSO", vec!["fence_na(8)".into()]),
    ]
}

/// Wrap `text` at 100 columns, each line starting with `indent`.
fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if line.len() > indent.len() && line.len() + 1 + word.len() > 100 {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

fn usage_of(o: &Opt) -> String {
    let mut s = match o.short {
        Some(short) => format!("{short}, {}", o.name),
        None => o.name.to_string(),
    };
    if let Some(v) = o.value {
        s.push(' ');
        s.push_str(v);
    }
    s
}

fn help() -> String {
    let mut s = format!("{NAME}\n\nUsage: {SYNOPSIS}\n\nOptions:\n");
    for o in OPTIONS {
        let u = usage_of(o);
        let body = wrap(o.help, &" ".repeat(24));
        if u.len() < 21 {
            let _ = write!(s, "  {u:<21} {}", &body[24..]);
        } else {
            let _ = write!(s, "  {u}\n{body}");
        }
    }
    for (title, paras) in topics() {
        let _ = write!(s, "\n{title}\n");
        for (i, p) in paras.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&wrap(p, "  "));
        }
    }
    s
}

fn man() -> String {
    let mut s = format!(
        ".TH NA-SIM 1 \"\" \"rustha {}\" \"rustha tools\"\n.SH NAME\n{}\n.SH SYNOPSIS\n{}\n",
        env!("CARGO_PKG_VERSION"),
        roff::escape_line(NAME),
        roff::escape_line(SYNOPSIS)
    );
    s.push_str(".SH DESCRIPTION\n");
    s.push_str(&roff::escape(DESCRIPTION));
    s.push_str(".SH OPTIONS\n");
    for o in OPTIONS {
        let _ = write!(s, ".TP\n.B {}\n", roff::escape_line(&usage_of(o)));
        s.push_str(&roff::escape(o.help));
    }
    for (title, paras) in topics() {
        let _ = writeln!(s, ".SH {title}");
        for (i, p) in paras.iter().enumerate() {
            if i > 0 {
                s.push_str(".PP\n");
            }
            s.push_str(&roff::escape(p));
        }
    }
    s
}

/// `print!` that ignores a closed stdout (`na-sim --help | head -1`).
fn print(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn ms(opt: &str, v: &str) -> Result<Duration, String> {
    v.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("{opt} '{}' is not a number of milliseconds", shown(v)))
}

/// What the command line asks for.
enum Run {
    Serve(Box<Config>, Option<String>),
    Print(String),
}

fn parse(args: &[String]) -> Result<Run, String> {
    let mut cfg = Config::default();
    let mut port_file = None;
    let mut faults = Faults::default();
    let mut i = 0;
    while i < args.len() {
        let (word, inline) = match args[i].split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v.to_string())),
            _ => (args[i].as_str(), None),
        };
        i += 1;
        let opt = OPTIONS
            .iter()
            .find(|o| o.name == word || o.short == Some(word))
            .ok_or_else(|| format!("unknown option '{}' (see --help)", shown(word)))?;
        let val = match (opt.value, inline) {
            (None, None) => String::new(),
            (None, Some(_)) => return Err(format!("option {} takes no value", opt.name)),
            (Some(_), Some(v)) => v,
            (Some(_), None) => {
                let v = args
                    .get(i)
                    .cloned()
                    .ok_or_else(|| format!("option {} needs a value (see --help)", opt.name))?;
                i += 1;
                v
            }
        };
        let name = opt.name;
        match name {
            "--help" => return Ok(Run::Print(help())),
            "--man" => return Ok(Run::Print(man())),
            "--version" => {
                return Ok(Run::Print(format!(
                    "na-sim {}\n",
                    env!("CARGO_PKG_VERSION")
                )))
            }
            "--listen" => {
                cfg.listen = val.parse().map_err(|_| {
                    format!(
                        "--listen '{}' is not ADDR:PORT (expected e.g. 127.0.0.1:238)",
                        shown(&val)
                    )
                })?
            }
            "--nodes" => {
                cfg.nodes = val
                    .parse()
                    .ok()
                    .filter(|n| (1..=99).contains(n))
                    .ok_or_else(|| {
                        format!("--nodes '{}' out of range (expected 1..99)", shown(&val))
                    })?
            }
            "--initial" => {
                cfg.initial_on = match val.as_str() {
                    "on" => true,
                    "off" => false,
                    _ => return Err(format!("--initial '{}': expected on or off", shown(&val))),
                }
            }
            "--on-cmd" => cfg.on_cmd = Some(val),
            "--off-cmd" => cfg.off_cmd = Some(val),
            "--power-dir" => cfg.power_dir = Some(val.into()),
            "--boot-ms" => cfg.boot_delay = ms(name, &val)?,
            "--off-ms" => cfg.off_delay = ms(name, &val)?,
            "--shutdown-ms" => cfg.shutdown_delay = ms(name, &val)?,
            "--press-ms" => cfg.press = ms(name, &val)?,
            "--forcedown-ms" => cfg.forcedown_hold = ms(name, &val)?,
            "--no-commas" => cfg.commas = false,
            "--max-connections" => {
                cfg.max_connections = val
                    .parse()
                    .ok()
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or_else(|| {
                        format!(
                            "--max-connections '{}' out of range (expected 1..10000)",
                            shown(&val)
                        )
                    })?
            }
            "--idle-timeout-s" => {
                cfg.idle_timeout = val
                    .parse()
                    .ok()
                    .filter(|s| *s >= 1)
                    .map(Duration::from_secs)
                    .ok_or_else(|| {
                        format!(
                            "--idle-timeout-s '{}' is not a number of seconds (>= 1)",
                            shown(&val)
                        )
                    })?
            }
            "--fault" => faults.add(&val)?,
            "--port-file" => port_file = Some(val),
            other => unreachable!("option {other} declared but not handled"),
        }
    }
    cfg.faults = faults;
    Ok(Run::Serve(Box::new(cfg), port_file))
}

fn main() {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let (cfg, port_file) = match parse(&args) {
        Ok(Run::Serve(c, p)) => (*c, p),
        Ok(Run::Print(text)) => return print(&text),
        Err(e) => {
            eprintln!("na-sim: {e}");
            std::process::exit(2);
        }
    };
    let nodes = cfg.nodes;
    let listen = cfg.listen;
    let sim = match Sim::start(cfg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("na-sim: cannot listen on {listen}: {e}");
            std::process::exit(1);
        }
    };
    if let Some(f) = port_file {
        let tmp = format!("{f}.tmp");
        if let Err(e) = std::fs::write(&tmp, format!("{}\n", sim.addr().port()))
            .and_then(|_| std::fs::rename(&tmp, &f))
        {
            eprintln!("na-sim: cannot write port file {}: {e}", shown(&f));
            std::process::exit(1);
        }
    }
    eprintln!("na-sim: listening on {} with {nodes} nodes", sim.addr());
    sim.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Run, String> {
        parse(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    /// Every declared option is handled (none reaches `unreachable!`) and documented in both
    /// renderings.
    #[test]
    fn every_option_parses_and_is_documented() {
        let (h, m) = (help(), man());
        for o in OPTIONS {
            let mut words = vec![o.name];
            let value = match o.name {
                "--listen" => "127.0.0.1:0",
                "--initial" => "off",
                "--fault" => "no-eom",
                _ => "7",
            };
            if o.value.is_some() {
                words.push(value);
            }
            assert!(parse_words(&words).is_ok(), "{}", o.name);
            assert!(h.contains(&usage_of(o)), "--help lacks {}", o.name);
            assert!(
                m.contains(&roff::escape_line(&usage_of(o))),
                "man lacks {}",
                o.name
            );
        }
    }

    #[test]
    fn bad_values_name_the_option_and_the_value() {
        for (words, msg) in [
            (
                &["--max-connections", "0"][..],
                "--max-connections '0' out of range",
            ),
            (
                &["--idle-timeout-s", "x"],
                "--idle-timeout-s 'x' is not a number",
            ),
            (&["--no-commas=1"], "option --no-commas takes no value"),
        ] {
            match parse_words(words) {
                Err(e) => assert!(e.contains(msg), "{e}"),
                Ok(_) => panic!("{words:?} accepted"),
            }
        }
    }

    #[test]
    fn help_fits_80_to_100_columns_and_man_is_troff() {
        for line in help().lines() {
            assert!(line.len() <= 100, "{line}");
        }
        let m = man();
        assert!(m.starts_with(".TH NA-SIM 1 "), "{m}");
        for line in m.lines() {
            assert!(!line.starts_with('\''), "{line}");
            if line.starts_with('.') {
                assert!(
                    [".TH", ".SH", ".TP", ".B ", ".PP"]
                        .iter()
                        .any(|p| line.starts_with(p)),
                    "{line}"
                );
            }
        }
    }
}
