// SPDX-License-Identifier: GPL-2.0-or-later
//! The TCP side: admitting clients within the connection limit, reading their lines, writing
//! the device's replies (with the fault switches applied).

use crate::device::Answer;
use crate::lines::{Line, Lines};
use crate::{lock, Shared, MAX_LINE};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// One open client connection, as the accepting thread sees it.
struct Conn {
    id: u64,
    peer: SocketAddr,
    /// A second handle on the socket, to close it from the accepting thread.
    stream: TcpStream,
    /// When the client last sent something or was last answered.
    last: Instant,
    /// Between a command line and the end of its reply.
    busy: bool,
}

#[derive(Default)]
pub(crate) struct Conns {
    next_id: u64,
    open: Vec<Conn>,
}

impl Conns {
    pub fn len(&self) -> usize {
        self.open.len()
    }

    fn get(&mut self, id: u64) -> Option<&mut Conn> {
        self.open.iter_mut().find(|c| c.id == id)
    }
}

pub(crate) fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    while !shared.stopping() {
        match listener.accept() {
            Ok((stream, peer)) => {
                if shared.cfg.faults.refuse {
                    reset(&stream);
                    continue;
                }
                let Some(id) = admit(&shared, &stream, peer) else {
                    continue;
                };
                let s = shared.clone();
                thread::spawn(move || {
                    if let Err(e) = serve(&s, id, peer, stream) {
                        if e.kind() != io::ErrorKind::WouldBlock {
                            eprintln!("na-sim: connection from {peer}: {e}");
                        }
                    }
                    lock(&s.conns).open.retain(|c| c.id != id);
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

/// Register a new client. At the limit, the connection idle longest makes room (silent
/// clients must not lock everyone out); when every connection is in the middle of a command,
/// the new one is reset.
fn admit(shared: &Shared, stream: &TcpStream, peer: SocketAddr) -> Option<u64> {
    let max = shared.cfg.max_connections;
    let mut conns = lock(&shared.conns);
    if conns.open.len() >= max {
        let idlest = conns
            .open
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.busy)
            .min_by_key(|(_, c)| c.last)
            .map(|(i, _)| i);
        match idlest {
            Some(i) => {
                let old = conns.open.remove(i);
                let _ = old.stream.shutdown(Shutdown::Both);
                eprintln!(
                    "na-sim: {max} connections open: closed the one from {} (idle {:.1} s) to admit {peer}",
                    old.peer,
                    old.last.elapsed().as_secs_f64()
                );
            }
            None => {
                eprintln!("na-sim: {max} connections open, all busy: refused {peer}");
                reset(stream);
                return None;
            }
        }
    }
    let handle = match stream.try_clone() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("na-sim: connection from {peer}: {e}");
            return None;
        }
    };
    conns.next_id += 1;
    let id = conns.next_id;
    conns.open.push(Conn {
        id,
        peer,
        stream: handle,
        last: Instant::now(),
        busy: false,
    });
    Some(id)
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

/// Mark the connection active now (and whether a command is in progress). `false` when it was
/// closed to make room for another client.
fn touch(shared: &Shared, id: u64, busy: bool) -> bool {
    match lock(&shared.conns).get(id) {
        Some(c) => {
            c.last = Instant::now();
            c.busy = busy;
            true
        }
        None => false,
    }
}

fn serve(shared: &Arc<Shared>, id: u64, peer: SocketAddr, mut stream: TcpStream) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut lines = Lines::new(MAX_LINE);
    let mut last = Instant::now();
    let mut chunk = [0u8; 512];
    loop {
        if shared.stopping() || last.elapsed() > shared.cfg.idle_timeout {
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
        last = Instant::now();
        lines.push(&chunk[..n]);
        while let Some(line) = lines.next_line() {
            if !touch(shared, id, true) {
                return Ok(());
            }
            let reply = match line {
                Line::Command(text) => respond(shared, &text),
                Line::Invalid(why) => {
                    eprintln!("na-sim: {peer}: line refused: {why}");
                    format!(
                        "Invalid command: {why} (expected NN:S and a newline, e.g. 02:1)\nEOM\n"
                    )
                }
                Line::TooLong => {
                    eprintln!("na-sim: {peer}: no line end within {MAX_LINE} bytes: closing");
                    let _ = send(
                        shared,
                        &mut stream,
                        &format!("Invalid command: line longer than {MAX_LINE} bytes\nEOM\n"),
                    );
                    return Ok(());
                }
            };
            let open = send(shared, &mut stream, &reply)?;
            last = Instant::now();
            if !open || !touch(shared, id, false) {
                return Ok(());
            }
        }
    }
}

/// The device's reply to one printable command line.
fn respond(shared: &Arc<Shared>, line: &str) -> String {
    let req = match tnap::parse_request(line) {
        Ok(r) => r,
        Err(e) => return format!("Invalid command: {e}\nEOM\n"),
    };
    let answer = shared.device().request(&req, Instant::now());
    let mut reply = match answer {
        Answer::States => String::new(),
        Answer::Info => {
            let mut info = shared.cfg.info.clone();
            info.node_count = Some(shared.cfg.nodes);
            return tnap::format_info_reply(&info);
        }
        Answer::NoSuchNode(msg) => return format!("{msg}\nEOM\n"),
        Answer::Node { head, ready_at } => {
            eprintln!("na-sim: {req}: {head}");
            // The device answers once it has let go of the button.
            shared.sleep_until(ready_at);
            head + "\n"
        }
    };
    shared.settle();
    reply.push_str(&tnap::format_state_reply(
        &shared.device().states(),
        shared.cfg.commas,
    ));
    reply
}

/// Write a reply, applying the fault switches. `Ok(false)` when the connection is to end.
fn send(shared: &Shared, stream: &mut TcpStream, reply: &str) -> io::Result<bool> {
    let f = &shared.cfg.faults;
    if let Some(d) = f.slow {
        shared.sleep_until(Instant::now() + d);
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
