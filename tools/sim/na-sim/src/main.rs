//! `na-sim`: run a simulated Node Assassin.

use na_sim::{Config, Faults, Sim};
use std::time::Duration;

const HELP: &str = "na-sim - a simulated Node Assassin fence device (TNAP 1.1.x over TCP)

Usage: na-sim [--listen ADDR:PORT] [--nodes N] [OPTIONS]

  --listen ADDR:PORT    address to listen on (default 127.0.0.1:238; port 0 picks a free one)
  --nodes N             number of simulated nodes, 1..99 (default 4)
  --initial on|off      power state of the nodes at start (default on)
  --on-cmd 'CMD ARGS'   run when a node gains power; split into words, no shell;
                        {node} becomes the two-digit node number, {num} the plain number
  --off-cmd 'CMD ARGS'  run when a node loses power
  --power-dir DIR       keep DIR/NN holding 'on' or 'off' for each node
  --boot-ms MS          power button → power feed on (default 1500)
  --off-ms MS           power held → power feed off (default 500)
  --shutdown-ms MS      power button on a running node → ACPI shutdown (default 2000)
  --press-ms MS         length of a power button press (default 1000)
  --forcedown-ms MS     how long NN:3 holds the power button (default 5000)
  --no-commas           node lines 'P0 R0 F1' instead of 'P0, R0, F1' (1.1.6 agent format)
  --fault F             misbehave (repeatable): drop-mid-reply, no-eom, slow=MS, refuse,
                        close-after-reply (one command per connection; not an error)
  --port-file FILE      write the bound port number to FILE once listening
  -h, --help            this help
  -V, --version         version

Commands: 00:0 node states, 00:1 device info, NN:0 release, NN:1 fence,
NN:2 press the power button, NN:3 force off. Every reply ends with EOM.
Example: na-sim --listen 127.0.0.1:2380 --nodes 2 --off-cmd 'logger node {node} off'
";

/// `println!`/`print!` that ignore a closed stdout (`na-sim --help | head -1`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

fn ms(opt: &str, v: &str) -> Result<Duration, String> {
    v.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("{opt} '{v}' is not a number of milliseconds"))
}

fn parse(args: &[String]) -> Result<Option<(Config, Option<String>)>, String> {
    let mut cfg = Config::default();
    let mut port_file = None;
    let mut faults = Faults::default();
    let mut i = 0;
    while i < args.len() {
        let (opt, inline) = match args[i].split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o.to_string(), Some(v.to_string())),
            _ => (args[i].clone(), None),
        };
        i += 1;
        let flag = matches!(
            opt.as_str(),
            "-h" | "--help" | "-V" | "--version" | "--no-commas"
        );
        const VALUED: &[&str] = &[
            "--listen",
            "--nodes",
            "--initial",
            "--on-cmd",
            "--off-cmd",
            "--power-dir",
            "--boot-ms",
            "--off-ms",
            "--shutdown-ms",
            "--press-ms",
            "--forcedown-ms",
            "--fault",
            "--port-file",
        ];
        if !flag && !VALUED.contains(&opt.as_str()) {
            return Err(format!("unknown option '{opt}' (see --help)"));
        }
        let val = if flag {
            String::new()
        } else {
            match inline {
                Some(v) => v,
                None => {
                    let v = args
                        .get(i)
                        .cloned()
                        .ok_or_else(|| format!("option {opt} needs a value (see --help)"))?;
                    i += 1;
                    v
                }
            }
        };
        match opt.as_str() {
            "-h" | "--help" => {
                out!("{HELP}");
                return Ok(None);
            }
            "-V" | "--version" => {
                outln!("na-sim {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--listen" => {
                cfg.listen = val.parse().map_err(|_| {
                    format!("--listen '{val}' is not ADDR:PORT (expected e.g. 127.0.0.1:238)")
                })?
            }
            "--nodes" => {
                cfg.nodes = val
                    .parse()
                    .ok()
                    .filter(|n| (1..=99).contains(n))
                    .ok_or_else(|| format!("--nodes '{val}' out of range (expected 1..99)"))?
            }
            "--initial" => {
                cfg.initial_on = match val.as_str() {
                    "on" => true,
                    "off" => false,
                    _ => return Err(format!("--initial '{val}': expected on or off")),
                }
            }
            "--on-cmd" => cfg.on_cmd = Some(val),
            "--off-cmd" => cfg.off_cmd = Some(val),
            "--power-dir" => cfg.power_dir = Some(val.into()),
            "--boot-ms" => cfg.boot_delay = ms(&opt, &val)?,
            "--off-ms" => cfg.off_delay = ms(&opt, &val)?,
            "--shutdown-ms" => cfg.shutdown_delay = ms(&opt, &val)?,
            "--press-ms" => cfg.press = ms(&opt, &val)?,
            "--forcedown-ms" => cfg.forcedown_hold = ms(&opt, &val)?,
            "--no-commas" => cfg.commas = false,
            "--fault" => faults.add(&val)?,
            "--port-file" => port_file = Some(val),
            other => return Err(format!("unknown option '{other}' (see --help)")),
        }
    }
    cfg.faults = faults;
    Ok(Some((cfg, port_file)))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cfg, port_file) = match parse(&args) {
        Ok(Some(c)) => c,
        Ok(None) => return,
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
            eprintln!("na-sim: cannot write port file {f}: {e}");
            std::process::exit(1);
        }
    }
    eprintln!("na-sim: listening on {} with {nodes} nodes", sim.addr());
    sim.wait();
}
