//! A simulated Node Assassin: N nodes behind a TNAP 1.1.x TCP server, with power-feed changes
//! after realistic (configurable, short) delays, optional commands run on each power change, and
//! fault switches for tests. Threads only: one accepting, one per connection, one clock.

use rustha_support::{Command, Deadline};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};
use tnap::{NodeCommand, NodeState, Request};

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
                    format!("fault 'slow={ms}': expected slow=MILLISECONDS, e.g. slow=5000")
                })?;
                self.slow = Some(Duration::from_millis(ms));
            }
            _ => {
                return Err(format!(
                    "unknown fault '{word}' (expected drop-mid-reply, no-eom, slow=MS, refuse or close-after-reply)"
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
    /// Power button pressed while off → power feed on after this.
    pub boot_delay: Duration,
    /// Power held (fence, force off) → power feed off after this.
    pub off_delay: Duration,
    /// Power button pressed while on → ACPI shutdown, feed off after this.
    pub shutdown_delay: Duration,
    /// Length of a power button press (`NN:2`).
    pub press: Duration,
    /// How long `NN:3` holds the power button.
    pub forcedown_hold: Duration,
    /// Node lines with commas (as the 1.1.6 agent parses) or without.
    pub commas: bool,
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
            boot_delay: Duration::from_millis(1500),
            off_delay: Duration::from_millis(500),
            shutdown_delay: Duration::from_millis(2000),
            press: Duration::from_millis(1000),
            forcedown_hold: Duration::from_millis(5000),
            commas: true,
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

#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    Feed(bool),
    ReleasePower,
}

#[derive(Debug, Clone)]
struct Node {
    power: bool,
    reset: bool,
    feed: bool,
    locked: bool,
    pending: Vec<(Instant, Change)>,
}

struct State {
    nodes: Vec<Node>,
    /// Commands received, in order (for tests and the log).
    log: Vec<String>,
}

struct Shared {
    cfg: Config,
    state: Mutex<State>,
    stop: AtomicBool,
    connections: AtomicUsize,
    /// Power commands that ran: (node, on?, exit code or -1).
    ran: Mutex<Vec<(u8, bool, i32)>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running simulator. Dropping it stops it.
pub struct Sim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    threads: Vec<thread::JoinHandle<()>>,
}

const MAX_CONNECTIONS: usize = 64;
const MAX_LINE: usize = 256;
const IDLE: Duration = Duration::from_secs(120);

impl Sim {
    /// Bind and start serving.
    pub fn start(cfg: Config) -> io::Result<Sim> {
        if cfg.nodes == 0 || cfg.nodes > tnap::MAX_NODE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("nodes {} out of range (expected 1..99)", cfg.nodes),
            ));
        }
        let listener = TcpListener::bind(cfg.listen)?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let nodes = (0..cfg.nodes)
            .map(|_| Node {
                power: false,
                reset: false,
                feed: cfg.initial_on,
                locked: false,
                pending: Vec::new(),
            })
            .collect();
        let shared = Arc::new(Shared {
            cfg,
            state: Mutex::new(State {
                nodes,
                log: Vec::new(),
            }),
            stop: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
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
            thread::spawn(move || accept_loop(s1, listener)),
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
        let st = self.shared.lock();
        st.nodes
            .get(usize::from(n).checked_sub(1)?)
            .map(|x| NodeState {
                node: n,
                power: x.power,
                reset: x.reset,
                feed: x.feed,
            })
    }

    /// Test control: set node `n`'s power feed as if power reached it from elsewhere (a second
    /// supply, a hand on the cable), whatever its switches; its pending changes are dropped.
    /// Returns false for a node that does not exist.
    pub fn set_feed(&self, n: u8, on: bool) -> bool {
        let mut st = self.shared.lock();
        let Some(node) = usize::from(n)
            .checked_sub(1)
            .and_then(|i| st.nodes.get_mut(i))
        else {
            return false;
        };
        node.feed = on;
        node.pending.clear();
        drop(st);
        write_power_file(&self.shared.cfg, n, on);
        true
    }

    /// Every command received so far (`02:1`, ...).
    pub fn commands(&self) -> Vec<String> {
        self.shared.lock().log.clone()
    }

    /// Power commands that finished: (node, on?, exit code).
    pub fn power_commands(&self) -> Vec<(u8, bool, i32)> {
        self.shared
            .ran
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
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

fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                if shared.cfg.faults.refuse {
                    reset(&stream);
                    continue;
                }
                if shared.connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                    reset(&stream);
                    continue;
                }
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let s = shared.clone();
                thread::spawn(move || {
                    if let Err(e) = serve(&s, stream) {
                        if e.kind() != io::ErrorKind::WouldBlock {
                            eprintln!("na-sim: connection from {peer}: {e}");
                        }
                    }
                    s.connections.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => {
                eprintln!("na-sim: accept: {e}");
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Close with a TCP reset (SO_LINGER 0), as a device refusing service would look.
fn reset(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket fd and a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &l as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Drop telnet option negotiation (IAC sequences) and other control bytes.
fn strip_telnet(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0xff => {
                i += if matches!(bytes.get(i + 1), Some(251..=254)) {
                    3
                } else {
                    2
                }
            }
            b if b.is_ascii_graphic() || b == b' ' => {
                out.push(b as char);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn serve(shared: &Shared, mut stream: TcpStream) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut buf: Vec<u8> = Vec::new();
    let mut idle = Instant::now();
    let mut chunk = [0u8; 512];
    loop {
        if shared.stop.load(Ordering::SeqCst) || idle.elapsed() > IDLE {
            return Ok(());
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(e) => return Err(e),
        };
        idle = Instant::now();
        buf.extend_from_slice(&chunk[..n]);
        while let Some(pos) = buf.iter().position(|&b| b == b'\n' || b == b'\r') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            let text = strip_telnet(&line);
            if text.trim().is_empty() {
                continue;
            }
            let reply = answer(shared, &text);
            if !send(shared, &mut stream, &reply)? {
                return Ok(());
            }
        }
        if buf.len() > MAX_LINE {
            let _ = send(shared, &mut stream, "Invalid command: line too long\nEOM\n");
            return Ok(());
        }
    }
}

/// Write a reply, applying the fault switches. `Ok(false)` when the connection is to end.
fn send(shared: &Shared, stream: &mut TcpStream, reply: &str) -> io::Result<bool> {
    let f = &shared.cfg.faults;
    if let Some(d) = f.slow {
        let until = Deadline::after(d);
        while !until.expired() && !shared.stop.load(Ordering::SeqCst) {
            until.sleep(Duration::from_millis(20));
        }
    }
    let mut text = reply.to_string();
    if f.no_eom {
        if let Some(i) = text.rfind("EOM\n") {
            text.truncate(i);
        }
    }
    if f.drop_mid_reply {
        let half = text.len() / 2;
        stream.write_all(&text.as_bytes()[..half])?;
        stream.flush()?;
        let _ = stream.shutdown(Shutdown::Both);
        return Ok(false);
    }
    stream.write_all(text.as_bytes())?;
    stream.flush()?;
    if f.close_after_reply {
        let _ = stream.shutdown(Shutdown::Both);
        return Ok(false);
    }
    Ok(true)
}

fn states(st: &State) -> Vec<NodeState> {
    st.nodes
        .iter()
        .enumerate()
        .map(|(i, x)| NodeState {
            node: i as u8 + 1,
            power: x.power,
            reset: x.reset,
            feed: x.feed,
        })
        .collect()
}

/// The device's answer to one command line.
fn answer(shared: &Shared, line: &str) -> String {
    let cfg = &shared.cfg;
    let req = match tnap::parse_request(line) {
        Ok(r) => r,
        Err(e) => return format!("Invalid command: {e}\nEOM\n"),
    };
    let mut st = shared.lock();
    st.log.push(req.to_string());
    match req {
        Request::States => tnap::format_state_reply(&states(&st), cfg.commas),
        Request::Info => {
            let mut info = cfg.info.clone();
            info.node_count = Some(cfg.nodes);
            tnap::format_info_reply(&info)
        }
        Request::Node(n, cmd) => {
            let Some(node) = st.nodes.get_mut(usize::from(n) - 1) else {
                return format!(
                    "Invalid node: {n:02} (this device has {:02} nodes)\nEOM\n",
                    cfg.nodes
                );
            };
            let now = Instant::now();
            let what = match cmd {
                NodeCommand::Release => {
                    node.power = false;
                    node.reset = false;
                    node.locked = false;
                    node.pending.retain(|(_, c)| *c != Change::ReleasePower);
                    "release: power and reset switches open, panel unlocked"
                }
                NodeCommand::Fence => {
                    node.power = true;
                    node.locked = true;
                    node.pending.clear();
                    if node.feed {
                        node.pending
                            .push((now + cfg.off_delay, Change::Feed(false)));
                    }
                    "fence: power held off, panel locked"
                }
                NodeCommand::PowerButton => {
                    if node.locked || node.power {
                        "power button: ignored, the power switch is held (release first)"
                    } else {
                        node.power = true;
                        node.pending.push((now + cfg.press, Change::ReleasePower));
                        if node.feed {
                            node.pending
                                .push((now + cfg.shutdown_delay, Change::Feed(false)));
                            "power button pressed: shutting down"
                        } else {
                            node.pending
                                .push((now + cfg.boot_delay, Change::Feed(true)));
                            "power button pressed: booting"
                        }
                    }
                }
                NodeCommand::ForceOff => {
                    node.power = true;
                    node.pending.clear();
                    if node.feed {
                        node.pending
                            .push((now + cfg.off_delay, Change::Feed(false)));
                    }
                    node.pending
                        .push((now + cfg.forcedown_hold, Change::ReleasePower));
                    "force off: power button held"
                }
            };
            let mut s = format!("Node {n:02}: {what}\n");
            let body = tnap::format_state_reply(&states(&st), cfg.commas);
            s.push_str(&body);
            s
        }
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
            eprintln!("na-sim: cannot write {}: {e}", path.display());
        }
    }
}

/// Apply due state changes every few milliseconds; run power commands outside the lock.
fn clock(shared: Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        let now = Instant::now();
        let mut changes: Vec<(u8, bool)> = Vec::new();
        {
            let mut st = shared.lock();
            for (i, node) in st.nodes.iter_mut().enumerate() {
                node.pending.sort_by_key(|(t, _)| *t);
                while let Some(&(t, c)) = node.pending.first() {
                    if t > now {
                        break;
                    }
                    node.pending.remove(0);
                    match c {
                        Change::ReleasePower => {
                            if !node.locked {
                                node.power = false;
                            }
                        }
                        Change::Feed(on) => {
                            if node.feed != on {
                                node.feed = on;
                                changes.push((i as u8 + 1, on));
                            }
                        }
                    }
                }
            }
        }
        for (n, on) in changes {
            eprintln!(
                "na-sim: node {n:02} power {}",
                if on { "on" } else { "off" }
            );
            write_power_file(&shared.cfg, n, on);
            let template = if on {
                &shared.cfg.on_cmd
            } else {
                &shared.cfg.off_cmd
            };
            if let Some(t) = template.clone() {
                let s = shared.clone();
                thread::spawn(move || run_power_cmd(&s, &t, n, on));
            }
        }
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
                    "na-sim: node {n:02} power command {prog} exited {}: {}",
                    o.code(),
                    o.last_line()
                );
            }
            o.code()
        }
        Err(e) => {
            eprintln!("na-sim: node {n:02} power command: {e}");
            -1
        }
    };
    if let Ok(mut r) = shared.ran.lock() {
        r.push((n, on, code));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Telnet negotiation bytes are ignored.
        assert!(ask(&mut s, "\u{1}00:0\n").contains("Node 01"));
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
}
