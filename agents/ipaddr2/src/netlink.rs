// SPDX-License-Identifier: GPL-2.0-or-later
//! A synchronous rtnetlink socket: requests out, parsed replies in, every receive bounded by
//! the invocation's deadline.

use crate::rtnl::{self, Addr, AddrSpec, Link, Route};
use rustha_support::Deadline;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

pub struct Netlink {
    fd: OwnedFd,
    seq: u32,
    deadline: Deadline,
}

fn last_err(what: &str) -> io::Error {
    let e = io::Error::last_os_error();
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

impl Netlink {
    pub fn open(deadline: Deadline) -> io::Result<Netlink> {
        // SAFETY: plain socket(2); the result is checked and owned below.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return Err(last_err("netlink socket"));
        }
        // SAFETY: fd is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: sockaddr_nl is plain data; zero is "kernel assigns the port".
        let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        sa.nl_family = libc::AF_NETLINK as u16;
        // SAFETY: sa is a valid sockaddr_nl of the given size.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                &sa as *const libc::sockaddr_nl as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if rc < 0 {
            return Err(last_err("netlink bind"));
        }
        let strict: libc::c_int = 1;
        // Best effort: lets the kernel filter dumps by family; harmless when unsupported.
        // SAFETY: valid pointer and length for an int option.
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_NETLINK,
                libc::NETLINK_GET_STRICT_CHK,
                &strict as *const _ as *const libc::c_void,
                4,
            );
        }
        Ok(Netlink {
            fd,
            seq: 0,
            deadline,
        })
    }

    fn set_timeout(&self) -> io::Result<()> {
        let left = self.deadline.remaining().max(Duration::from_millis(10));
        let tv = libc::timeval {
            tv_sec: left.as_secs() as libc::time_t,
            tv_usec: left.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: valid pointer and length for a timeval option.
        let rc = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                &tv as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::timeval>() as u32,
            )
        };
        if rc < 0 {
            return Err(last_err("netlink SO_RCVTIMEO"));
        }
        Ok(())
    }

    /// Send one request and collect the payloads of its replies (until DONE or the ACK).
    fn transact(&mut self, kind: u16, flags: u16, body: &[u8]) -> io::Result<Vec<(u16, Vec<u8>)>> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let msg = rtnl::message(kind, flags | rtnl::NLM_F_REQUEST, seq, body);
        // SAFETY: msg is a valid buffer of msg.len() bytes; the socket is connected to the kernel.
        let sent = unsafe {
            libc::send(
                self.fd.as_raw_fd(),
                msg.as_ptr() as *const libc::c_void,
                msg.len(),
                0,
            )
        };
        if sent < 0 {
            return Err(last_err("netlink send"));
        }
        let dump = flags & rtnl::NLM_F_DUMP == rtnl::NLM_F_DUMP;
        let mut out = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if self.deadline.expired() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "netlink: no answer from the kernel before the operation timeout",
                ));
            }
            self.set_timeout()?;
            // SAFETY: buf is a valid writable buffer of buf.len() bytes.
            let n = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr() as *mut libc::c_void,
                    buf.len(),
                    0,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(io::Error::new(e.kind(), format!("netlink receive: {e}")));
            }
            let msgs = rtnl::split(&buf[..n as usize])
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            for m in msgs {
                if m.seq != seq {
                    continue;
                }
                match m.kind {
                    rtnl::NLMSG_ERROR => {
                        let code = rtnl::error_code(m.payload).map_err(|e| {
                            io::Error::new(io::ErrorKind::InvalidData, e.to_string())
                        })?;
                        if code == 0 {
                            return Ok(out);
                        }
                        return Err(io::Error::from_raw_os_error(code));
                    }
                    rtnl::NLMSG_DONE => return Ok(out),
                    k => {
                        out.push((k, m.payload.to_vec()));
                        if !dump && m.flags & rtnl::NLM_F_MULTI == 0 && flags & rtnl::NLM_F_ACK == 0
                        {
                            return Ok(out);
                        }
                    }
                }
            }
        }
    }

    fn dump(&mut self, kind: u16, family: u8) -> io::Result<Vec<Vec<u8>>> {
        let body = rtnl::dump_body(kind, family);
        Ok(self
            .transact(kind, rtnl::NLM_F_DUMP, &body)?
            .into_iter()
            .map(|(_, p)| p)
            .collect())
    }

    fn bad(e: rtnl::WireError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e.to_string())
    }

    pub fn links(&mut self) -> io::Result<Vec<Link>> {
        self.dump(rtnl::RTM_GETLINK, 0)?
            .iter()
            .map(|p| rtnl::parse_link(p).map_err(Self::bad))
            .collect()
    }

    /// One interface by name; None when there is no such interface.
    pub fn link_by_name(&mut self, name: &str) -> io::Result<Option<Link>> {
        match self.transact(rtnl::RTM_GETLINK, 0, &rtnl::link_by_name_body(name)) {
            Ok(replies) => replies
                .iter()
                .find(|(k, _)| *k == rtnl::RTM_NEWLINK)
                .map(|(_, p)| rtnl::parse_link(p).map_err(Self::bad))
                .transpose(),
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn addrs(&mut self, family: u8) -> io::Result<Vec<Addr>> {
        let all: Vec<Addr> = self
            .dump(rtnl::RTM_GETADDR, family)?
            .iter()
            .map(|p| rtnl::parse_addr(p).map_err(Self::bad))
            .collect::<io::Result<_>>()?;
        Ok(all.into_iter().filter(|a| a.family == family).collect())
    }

    pub fn routes(&mut self, family: u8) -> io::Result<Vec<Route>> {
        let all: Vec<Route> = self
            .dump(rtnl::RTM_GETROUTE, family)?
            .iter()
            .map(|p| rtnl::parse_route(p).map_err(Self::bad))
            .collect::<io::Result<_>>()?;
        Ok(all.into_iter().filter(|r| r.family == family).collect())
    }

    pub fn add_addr(&mut self, spec: &AddrSpec) -> io::Result<()> {
        let flags = rtnl::NLM_F_ACK | rtnl::NLM_F_CREATE | rtnl::NLM_F_EXCL;
        self.transact(rtnl::RTM_NEWADDR, flags, &rtnl::addr_body(spec))
            .map(|_| ())
    }

    pub fn del_addr(&mut self, spec: &AddrSpec) -> io::Result<()> {
        let spec = AddrSpec {
            broadcast: None,
            label: None,
            flags: 0,
            preferred_lft: None,
            ..spec.clone()
        };
        self.transact(rtnl::RTM_DELADDR, rtnl::NLM_F_ACK, &rtnl::addr_body(&spec))
            .map(|_| ())
    }

    /// Add (`add`) or remove the /128 address label policy for `ip`.
    pub fn addrlabel(&mut self, add: bool, ip: std::net::Ipv6Addr, label: u32) -> io::Result<()> {
        let (kind, flags) = if add {
            (
                rtnl::RTM_NEWADDRLABEL,
                rtnl::NLM_F_ACK | rtnl::NLM_F_CREATE | rtnl::NLM_F_EXCL,
            )
        } else {
            (rtnl::RTM_DELADDRLABEL, rtnl::NLM_F_ACK)
        };
        self.transact(kind, flags, &rtnl::addrlabel_body(ip, label))
            .map(|_| ())
    }

    pub fn set_link_up(&mut self, index: u32) -> io::Result<()> {
        self.transact(
            rtnl::RTM_NEWLINK,
            rtnl::NLM_F_ACK,
            &rtnl::link_up_body(index),
        )
        .map(|_| ())
    }
}
