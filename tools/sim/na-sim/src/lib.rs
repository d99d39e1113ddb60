// SPDX-License-Identifier: GPL-2.0-or-later
//! A simulated Node Assassin: N nodes behind a TNAP 1.1.x TCP server, with power-feed changes
//! after realistic (configurable, short) delays, optional commands run on each power change, and
//! fault switches for tests. Threads only: one accepting, one per connection, one clock.
//!
//! `device` is the hardware (switches, feeds, timing; no I/O), `lines` frames what a client
//! sends into command lines (no I/O), `server` owns the sockets.

mod device;
mod lines;
mod server;

use device::{Device, Timing};
use rustha_support::{Command, Deadline};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};
use tnap::NodeState;

/// Misbehaviour on demand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Send half of each reply, then close the connection.
    pub drop_mid_reply: bool,
    /// Send replies without their EOM line (and keep the connection open).
    pub no_eom: bool,
    /// Wait this long before each reply.
    pub slow: Option<Duration>,
    /// Reset every connection as soon as it is accepted.
    pub refuse: bool,
    /// Close the connection after each complete reply (one command per connection).
    pub close_after_reply: bool,
}

impl Faults {
    /// Apply one `--fault` word: `drop-mid-reply`, `no-eom`, `slow=MS`, `refuse`,
    /// `close-after-reply`.
    pub fn add(&mut self, word: &str) -> Result<(), String> {
        match word.split_once('=') {
            None if word == "drop-mid-reply" => self.drop_mid_reply = true,
            None if word == "no-eom" => self.no_eom = true,
            None if word == "refuse" => self.refuse = true,
            None if word == "close-after-reply" => self.close_after_reply = true,
            Some(("slow", ms)) => {
                let ms: u64 = ms.parse().map_err(|_| {
                    format!(
                        "fault 'slow={}': expected slow=MILLISECONDS, e.g. slow=5000",
                        rustha_support::text::shown(ms)
                    )
                })?;
                self.slow = Some(Duration::from_millis(ms));
            }
            _ => {
                return Err(format!(
                    "unknown fault '{}' (expected drop-mid-reply, no-eom, slow=MS, refuse or close-after-reply)",
                    rustha_support::text::shown(word)
                ))
            }
        }
        Ok(())
    }
}

/// Everything the simulator can be told.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub nodes: u8,
    /// Whether nodes start with power.
    pub initial_on: bool,
    /// Run (split into words, `{node}` → `02`, `{num}` → `2`) when a node gains power.
    pub on_cmd: Option<String>,
    /// Run when a node loses power.
    pub off_cmd: Option<String>,
    /// Keep `DIR/NN` containing `on` or `off` for each node.
    pub power_dir: Option<PathBuf>,
    /// Power button pressed while off → power feed on this long after the press starts (an ATX
    /// power supply starts while the button is down).
    pub boot_delay: Duration,
    /// Power held (fence, force off) → power feed off after this.
    pub off_delay: Duration,
    /// Power button pressed while on → ACPI shutdown, feed off after this.
    pub shutdown_delay: Duration,
    /// Length of a power button press (`NN:2`); the device answers when the press ends.
    pub press: Duration,
    /// How long `NN:3` holds the power button.
    pub forcedown_hold: Duration,
    /// Node lines with commas (as the 1.1.6 agent parses) or without.
    pub commas: bool,
    /// Connections served at once; when all are open, the one idle longest is closed to admit
    /// a new client (a client in the middle of a command is never closed).
    pub max_connections: usize,
    /// A connection with nothing received for this long is closed.
    pub idle_timeout: Duration,
    pub faults: Faults,
    pub info: tnap::DeviceInfo,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], tnap::DEFAULT_PORT)),
            nodes: 4,
            initial_on: true,
            on_cmd: None,
            off_cmd: None,
            power_dir: None,
            boot_delay: Duration::from_millis(500),
            off_delay: Duration::from_millis(500),
            shutdown_delay: Duration::from_millis(2000),
            press: Duration::from_millis(1000),
            forcedown_hold: Duration::from_millis(5000),
            commas: true,
            max_connections: 64,
            idle_timeout: Duration::from_secs(120),
            faults: Faults::default(),
            info: tnap::DeviceInfo {
                build_date: Some("2010-03-12".into()),
                serial: Some("NA-SIM-0001".into()),
                version: Some("1.1.6".into()),
                node_count: None,
            },
        }
    }
}

impl Config {
    fn timing(&self) -> Timing {
        Timing {
            boot: self.boot_delay,
            off: self.off_delay,
            shutdown: self.shutdown_delay,
            press: self.press,
            forcedown: self.forcedown_hold,
        }
    }
}

/// What the threads share.
struct Shared {
    cfg: Config,
    device: Mutex<Device>,
    /// Held while applying due changes and writing power files, so that two threads settling
    /// at once write them in the order the feed changed.
    settling: Mutex<()>,
    conns: Mutex<server::Conns>,
    stop: AtomicBool,
    /// Power commands that ran: (node, on?, exit code or -1).
    ran: Mutex<Vec<(u8, bool, i32)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    fn device(&self) -> MutexGuard<'_, Device> {
        lock(&self.device)
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Apply the changes due by now; log them, keep the power files, start the power commands.
    fn settle(self: &Arc<Self>) {
        let _order = lock(&self.settling);
        let changes = self.device().settle(Instant::now());
        for (n, on) in changes {
            self.feed_changed(n, on);
        }
    }

    fn feed_changed(self: &Arc<Self>, n: u8, on: bool) {
        eprintln!(
            "na-sim: node {n:02} power {}",
            if on { "on" } else { "off" }
        );
        write_power_file(&self.cfg, n, on);
        let template = if on {
            &self.cfg.on_cmd
        } else {
            &self.cfg.off_cmd
        };
        if let Some(t) = template.clone() {
            let s = self.clone();
            thread::spawn(move || run_power_cmd(&s, &t, n, on));
        }
    }

    /// Sleep until `t` (or until the simulator stops).
    fn sleep_until(&self, t: Instant) {
        while !self.stopping() {
            let left = t.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            thread::sleep(left.min(Duration::from_millis(20)));
        }
    }
}

/// A running simulator. Dropping it stops it.
pub struct Sim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    threads: Vec<thread::JoinHandle<()>>,
}

/// The longest command line accepted; a longer one gets an error reply and the connection is
/// closed (no line end within it: the stream cannot be framed any more).
pub const MAX_LINE: usize = 256;

impl Sim {
    /// Bind and start serving.
    pub fn start(cfg: Config) -> io::Result<Sim> {
        if cfg.nodes == 0 || cfg.nodes > tnap::MAX_NODE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("nodes {} out of range (expected 1..99)", cfg.nodes),
            ));
        }
        if cfg.max_connections == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "max_connections 0 (expected at least 1)",
            ));
        }
        let listener = TcpListener::bind(cfg.listen)?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let device = Device::new(cfg.nodes, cfg.initial_on, cfg.timing());
        let shared = Arc::new(Shared {
            cfg,
            device: Mutex::new(device),
            settling: Mutex::new(()),
            conns: Mutex::new(server::Conns::default()),
            stop: AtomicBool::new(false),
            ran: Mutex::new(Vec::new()),
        });
        if let Some(dir) = &shared.cfg.power_dir {
            std::fs::create_dir_all(dir)?;
            for n in 1..=shared.cfg.nodes {
                write_power_file(&shared.cfg, n, shared.cfg.initial_on);
            }
        }
        let s1 = shared.clone();
        let s2 = shared.clone();
        let threads = vec![
            thread::spawn(move || server::accept_loop(s1, listener)),
            thread::spawn(move || clock(s2)),
        ];
        Ok(Sim {
            shared,
            addr,
            threads,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The state of node `n` (1-based) as the device would report it.
    pub fn node(&self, n: u8) -> Option<NodeState> {
        self.shared.device().node(n)
    }

    /// Every command received so far (`02:1`, ...).
    pub fn commands(&self) -> Vec<String> {
        self.shared.device().commands().to_vec()
    }

    /// Power commands that finished: (node, on?, exit code).
    pub fn power_commands(&self) -> Vec<(u8, bool, i32)> {
        lock(&self.shared.ran).clone()
    }

    /// Test control: node `n`'s power feed changes by itself, now, whatever its switches say (a
    /// node that comes back while it is being fenced, a second supply, a hand on the cable):
    /// feed changes still due from earlier commands are dropped, and the power file and power
    /// commands run as for any change. `false` for a node the device does not have.
    pub fn set_feed(&self, n: u8, on: bool) -> bool {
        let _order = lock(&self.shared.settling);
        let changed = self.shared.device().set_feed(n, on);
        match changed {
            None => return false,
            Some(false) => {}
            Some(true) => self.shared.feed_changed(n, on),
        }
        true
    }

    /// Client connections open now.
    pub fn connections(&self) -> usize {
        lock(&self.shared.conns).len()
    }

    /// Stop serving (connections in progress end at their next read).
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Run until stopped by a signal (for the binary).
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.halt();
    }
}

fn substitute(template: &str, n: u8) -> Vec<String> {
    template
        .split_whitespace()
        .map(|w| {
            w.replace("{node}", &format!("{n:02}"))
                .replace("{num}", &n.to_string())
        })
        .collect()
}

fn write_power_file(cfg: &Config, n: u8, on: bool) {
    if let Some(dir) = &cfg.power_dir {
        let path = dir.join(format!("{n:02}"));
        let tmp = dir.join(format!(".{n:02}.tmp"));
        let ok = std::fs::write(&tmp, if on { "on\n" } else { "off\n" })
            .and_then(|_| std::fs::rename(&tmp, &path));
        if let Err(e) = ok {
            eprintln!(
                "na-sim: cannot write {}: {e}",
                shown(&path.display().to_string())
            );
        }
    }
}

/// Apply due state changes every few milliseconds.
fn clock(shared: Arc<Shared>) {
    while !shared.stopping() {
        shared.settle();
        thread::sleep(Duration::from_millis(5));
    }
}

fn run_power_cmd(shared: &Shared, template: &str, n: u8, on: bool) {
    let words = substitute(template, n);
    let Some((prog, args)) = words.split_first() else {
        return;
    };
    let cmd = Command::new(prog).args(args);
    let code = match rustha_support::run(&cmd, &Deadline::after(Duration::from_secs(60))) {
        Ok(o) => {
            if !o.success() {
                eprintln!(
                    "na-sim: node {n:02} power command {} exited {}: {}",
                    shown(prog),
                    o.code(),
                    shown(o.last_line())
                );
            }
            o.code()
        }
        Err(e) => {
            eprintln!(
                "na-sim: node {n:02} power command: {}",
                shown(&e.to_string())
            );
            -1
        }
    };
    lock(&shared.ran).push((n, on, code));
}

/// How much of a command's output line or a path a log line repeats.
const SHOWN_MAX: usize = 200;

/// Text from outside (a command's output, a path), fit for one log line: control characters
/// escaped (a newline in it must not forge a second line), bounded.
fn shown(s: &str) -> String {
    rustha_support::text::shown_max(s, SHOWN_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn fast() -> Config {
        Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            nodes: 3,
            boot_delay: Duration::from_millis(50),
            off_delay: Duration::from_millis(30),
            shutdown_delay: Duration::from_millis(60),
            press: Duration::from_millis(20),
            forcedown_hold: Duration::from_millis(80),
            ..Config::default()
        }
    }

    fn ask(stream: &mut TcpStream, cmd: &str) -> String {
        stream.write_all(cmd.as_bytes()).unwrap();
        let mut got = Vec::new();
        let mut b = [0u8; 256];
        while tnap::find_eom(&got).is_none() {
            let n = stream.read(&mut b).unwrap();
            assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&b[..n]);
        }
        String::from_utf8(got).unwrap()
    }

    fn wait_feed(sim: &Sim, n: u8, on: bool) {
        let d = Deadline::after(Duration::from_secs(3));
        assert!(
            d.poll(Duration::from_millis(5), || (sim.node(n).unwrap().feed
                == on)
                .then_some(()))
                .is_some(),
            "node {n} feed never became {on}"
        );
    }

    #[test]
    fn fence_release_boot_cycle() {
        let sim = Sim::start(fast()).unwrap();
        let mut s = TcpStream::connect(sim.addr()).unwrap();
        let r = ask(&mut s, "00:0\n");
        assert!(r.contains("- Node 02: P0, R0, F1\n"), "{r}");
        let st = tnap::parse_state_reply(&r).unwrap();
        assert_eq!(st.count, Some(3));
        ask(&mut s, "02:1\n");
        wait_feed(&sim, 2, false);
        let r = ask(&mut s, "00:0\n");
        assert!(r.contains("- Node 02: P1, R0, F0\n"), "{r}");
        // Power button while held: ignored.
        ask(&mut s, "02:2\n");
        thread::sleep(Duration::from_millis(100));
        assert!(!sim.node(2).unwrap().feed);
        ask(&mut s, "02:0\r\n");
        assert!(!sim.node(2).unwrap().power);
        ask(&mut s, "02:2\n");
        wait_feed(&sim, 2, true);
        // ACPI shutdown via the button, then force off of another node.
        ask(&mut s, "02:2\n");
        wait_feed(&sim, 2, false);
        ask(&mut s, "03:3\n");
        wait_feed(&sim, 3, false);
        let info = tnap::parse_info_reply(&ask(&mut s, "00:1\n")).unwrap();
        assert_eq!(info.node_count, Some(3));
        assert_eq!(info.version.as_deref(), Some("1.1.6"));
        assert!(ask(&mut s, "09:1\n").starts_with("Invalid node: 09"));
        assert!(ask(&mut s, "hello\n").starts_with("Invalid command"));
        assert_eq!(sim.commands()[0], "00:0");
    }

    #[test]
    fn faults_parse() {
        let mut f = Faults::default();
        f.add("slow=250").unwrap();
        f.add("no-eom").unwrap();
        assert_eq!(f.slow, Some(Duration::from_millis(250)));
        assert!(f.no_eom);
        assert!(f.add("slow=x").unwrap_err().contains("slow=x"));
        assert!(f.add("boom").unwrap_err().contains("unknown fault 'boom'"));
    }

    #[test]
    fn power_commands_and_files() {
        let dir = std::env::temp_dir().join(format!("na-sim-test-{}", std::process::id()));
        let cfg = Config {
            power_dir: Some(dir.clone()),
            off_cmd: Some(format!("touch {}/off-{{node}}", dir.display())),
            ..fast()
        };
        let sim = Sim::start(cfg).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("01")).unwrap(), "on\n");
        let mut s = TcpStream::connect(sim.addr()).unwrap();
        ask(&mut s, "01:1\n");
        wait_feed(&sim, 1, false);
        let d = Deadline::after(Duration::from_secs(5));
        assert!(d
            .poll(Duration::from_millis(10), || dir
                .join("off-01")
                .exists()
                .then_some(()))
            .is_some());
        assert_eq!(std::fs::read_to_string(dir.join("01")).unwrap(), "off\n");
        assert!(sim.power_commands().contains(&(1, false, 0)));
        drop(sim);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Issue 9 item 18a: `NN:2` answers when the 1 s press is over, with the booting node's
    /// feed already up (it rose 0.5 s too late for the 1.1.6 agent's check, 1 s after the
    /// reply, when the reply came at once and the feed 1.5 s later).
    #[test]
    fn power_button_answers_after_the_press_as_a_device_does() {
        let sim = Sim::start(Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            initial_on: false,
            ..Config::default()
        })
        .unwrap();
        let mut s = TcpStream::connect(sim.addr()).unwrap();
        let t0 = Instant::now();
        let r = ask(&mut s, "02:2\n");
        let took = t0.elapsed();
        assert!(
            took >= Duration::from_millis(1000),
            "answered after {took:?}"
        );
        assert!(
            took < Duration::from_millis(1500),
            "answered after {took:?}"
        );
        assert!(
            r.starts_with("Node 02: power button pressed: booting\n")
                && r.contains("- Node 02: P0, R0, F1\n"),
            "{r}"
        );
        // The other nodes and queries are not held up by the press.
        let t0 = Instant::now();
        ask(&mut s, "00:0\n");
        assert!(t0.elapsed() < Duration::from_millis(500));
    }

    /// Issue 9 item 18c: a line with a control byte is refused with an error and EOM (it used
    /// to be cleaned up: `0\x012:1` fenced node 02, and a line of control bytes got no reply).
    #[test]
    fn lines_with_control_bytes_are_refused() {
        let sim = Sim::start(fast()).unwrap();
        let mut s = TcpStream::connect(sim.addr()).unwrap();
        let r = ask(&mut s, "0\u{1}2:1\n");
        assert_eq!(
            r,
            "Invalid command: non-printable byte 0x01 at column 2 of 5 (expected NN:S and a newline, e.g. 02:1)\nEOM\n"
        );
        let r = ask(&mut s, "\u{1}\u{2}\u{7f}\n");
        assert!(
            r.starts_with("Invalid command: non-printable byte 0x01") && r.ends_with("\nEOM\n"),
            "{r}"
        );
        thread::sleep(Duration::from_millis(100));
        assert!(!sim.node(2).unwrap().power, "node 02 was fenced");
        assert!(sim.commands().is_empty(), "{:?}", sim.commands());
        // Telnet negotiation (IAC DO ECHO) is not part of a line.
        s.write_all(b"\xff\xfd\x01").unwrap();
        assert!(ask(&mut s, "00:0\r\n").contains("- Node 02: P0, R0, F1\n"));
        assert_eq!(sim.commands(), ["00:0"]);
    }

    /// Issue 9 item 18b: 64 silent connections used to lock every client out for 120 s. The
    /// connection idle longest now makes room for a new client.
    #[test]
    fn silent_connections_do_not_lock_clients_out() {
        let sim = Sim::start(fast()).unwrap();
        let mut silent: Vec<TcpStream> = (0..64)
            .map(|_| TcpStream::connect(sim.addr()).unwrap())
            .collect();
        let d = Deadline::after(Duration::from_secs(5));
        assert!(d
            .poll(Duration::from_millis(5), || (sim.connections() == 64)
                .then_some(()))
            .is_some());
        let mut s = TcpStream::connect(sim.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert!(ask(&mut s, "00:0\n").contains("- Node 01: P0, R0, F1\n"));
        // The oldest silent one was closed; the newest is still served.
        silent[0]
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        assert_eq!(silent[0].read(&mut [0u8; 16]).unwrap(), 0);
        assert!(ask(&mut silent[63], "00:0\n").contains("EOM"));
        assert_eq!(sim.connections(), 64);
    }

    /// A connection in the middle of a command is never closed to make room: the newcomer is
    /// refused instead. Idle connections end after the idle timeout.
    #[test]
    fn busy_connections_are_kept_and_idle_ones_time_out() {
        let mut faults = Faults::default();
        faults.add("slow=600").unwrap();
        let sim = Sim::start(Config {
            max_connections: 1,
            idle_timeout: Duration::from_millis(300),
            faults,
            ..fast()
        })
        .unwrap();
        let mut busy = TcpStream::connect(sim.addr()).unwrap();
        busy.write_all(b"00:0\n").unwrap();
        thread::sleep(Duration::from_millis(200));
        let mut refused = TcpStream::connect(sim.addr()).unwrap();
        refused
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        assert!(refused.read(&mut [0u8; 16]).is_err(), "not reset");
        let mut got = Vec::new();
        busy.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        busy.read_to_end(&mut got).unwrap();
        let got = String::from_utf8(got).unwrap();
        assert!(got.ends_with("EOM\n"), "{got}");
        assert_eq!(sim.connections(), 0, "the idle connection was not closed");
    }

    #[test]
    fn set_feed_runs_the_power_hooks() {
        let dir = std::env::temp_dir().join(format!("na-sim-set-feed-{}", std::process::id()));
        let sim = Sim::start(Config {
            power_dir: Some(dir.clone()),
            ..fast()
        })
        .unwrap();
        assert!(sim.set_feed(1, false));
        assert_eq!(std::fs::read_to_string(dir.join("01")).unwrap(), "off\n");
        assert!(!sim.node(1).unwrap().feed);
        assert!(!sim.set_feed(9, true));
        drop(sim);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
