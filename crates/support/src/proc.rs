// SPDX-License-Identifier: GPL-2.0-or-later
//! `/proc/PID/stat` and PID files that name one process, not a PID number that may be reused.

use std::path::Path;

/// The fields of `/proc/PID/stat` the agents use. The command name may contain spaces and
/// parentheses, so the fields after it are counted from the last `)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub pid: i32,
    pub comm: String,
    /// `R`, `S`, `D`, `Z`, ...
    pub state: char,
    pub ppid: i32,
    /// Field 22: clock ticks after boot at which the process started. With the PID it names
    /// one process for the lifetime of the system.
    pub starttime: u64,
}

impl Stat {
    /// Parse the text of a `/proc/PID/stat` file; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Stat> {
        let open = text.find('(')?;
        let close = text.rfind(')')?;
        if close < open {
            return None;
        }
        let pid = text[..open].trim().parse().ok()?;
        let comm = text[open + 1..close].to_string();
        let mut rest = text[close + 1..].split_whitespace();
        let state = rest.next()?.chars().next()?;
        let ppid = rest.next()?.parse().ok()?;
        // After state and ppid, starttime is the 18th remaining field (field 22 overall).
        let starttime = rest.nth(17)?.parse().ok()?;
        Some(Stat {
            pid,
            comm,
            state,
            ppid,
            starttime,
        })
    }

    /// Read `/proc/PID/stat`; `None` when the process does not exist (or is unreadable).
    pub fn read(pid: i32) -> Option<Stat> {
        Stat::parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
    }

    /// A zombie or dead process: it holds nothing and cannot be signalled usefully.
    pub fn is_dead(&self) -> bool {
        matches!(self.state, 'Z' | 'X' | 'x')
    }
}

/// The start time of a live (not zombie) process.
pub fn live_starttime(pid: i32) -> Option<u64> {
    Stat::read(pid)
        .filter(|s| !s.is_dead())
        .map(|s| s.starttime)
}

/// A process named by PID and start time, as kept in a PID file (`PID STARTTIME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessId {
    pub pid: i32,
    pub starttime: u64,
}

impl ProcessId {
    /// The live process `pid`, with its start time; `None` if it is not running.
    pub fn of(pid: i32) -> Option<ProcessId> {
        live_starttime(pid).map(|starttime| ProcessId { pid, starttime })
    }

    /// Whether this very process still runs (not a later process that reuses the PID).
    pub fn is_running(&self) -> bool {
        live_starttime(self.pid) == Some(self.starttime)
    }

    /// The PID file's text: `PID STARTTIME\n`.
    pub fn to_file_text(&self) -> String {
        format!("{} {}\n", self.pid, self.starttime)
    }

    /// Parse a PID file's text; PIDs 0 and 1 are refused (never ours to signal).
    pub fn parse(text: &str) -> Option<ProcessId> {
        let mut it = text.split_whitespace();
        let pid: i32 = it.next()?.parse().ok()?;
        let starttime: u64 = it.next()?.parse().ok()?;
        (pid > 1).then_some(ProcessId { pid, starttime })
    }

    /// Read a PID file. `Ok(None)` when it does not exist; an error for unreadable contents.
    pub fn read_file(path: &Path) -> std::io::Result<Option<ProcessId>> {
        match std::fs::read_to_string(path) {
            Ok(s) => ProcessId::parse(&s).map(Some).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: not a PID file (PID STARTTIME)", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Write the PID file.
    pub fn write_file(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.to_file_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_command_names() {
        let stat = "4242 (IP addr) 2) S 17 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";
        let s = Stat::parse(stat).unwrap();
        assert_eq!(
            (s.pid, s.comm.as_str(), s.state, s.ppid, s.starttime),
            (4242, "IP addr) 2", 'S', 17, 987654)
        );
        assert_eq!(Stat::parse("garbage"), None);
        assert_eq!(Stat::parse("1 (x) S"), None);
        assert_eq!(Stat::parse(")("), None);
    }

    #[test]
    fn this_process() {
        let me = ProcessId::of(std::process::id() as i32).unwrap();
        assert!(me.is_running());
        let other = ProcessId {
            starttime: me.starttime + 1,
            ..me
        };
        assert!(!other.is_running(), "a reused PID is another process");
    }

    #[test]
    fn pid_file_text() {
        assert_eq!(
            ProcessId::parse("123 456\n"),
            Some(ProcessId {
                pid: 123,
                starttime: 456
            })
        );
        for bad in ["123", "1 5", "x 5", "", "0 0"] {
            assert_eq!(ProcessId::parse(bad), None, "{bad:?}");
        }
        let p = ProcessId {
            pid: 77,
            starttime: 9,
        };
        assert_eq!(ProcessId::parse(&p.to_file_text()), Some(p));
    }
}
