// SPDX-License-Identifier: GPL-2.0-or-later
//! From the bytes a client sends to command lines, without I/O: telnet option negotiation is
//! removed (a telnet client may send it; the device needs none), a line ends at LF, CR, CR LF or
//! CR NUL, and a line with any byte that is not printable ASCII is refused as a whole rather than
//! cleaned up: deleting bytes would turn `0\x012:1` into `02:1` and fence a node nobody named.

/// What the next line of input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// Printable ASCII (spaces and tabs included), not empty.
    Command(String),
    /// A line with a byte that is not printable ASCII: why, for the error reply.
    Invalid(String),
    /// No line end within the limit: the rest of the input cannot be framed, and is ignored.
    TooLong,
}

/// Telnet's interpret-as-command byte and the commands that take an option byte.
const IAC: u8 = 255;
const SB: u8 = 250;
const SE: u8 = 240;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Telnet {
    Data,
    /// After IAC.
    Command,
    /// After IAC WILL/WONT/DO/DONT: the option byte.
    Option,
    /// Inside IAC SB … IAC SE.
    Sub,
    /// IAC inside a subnegotiation.
    SubIac,
}

pub(crate) struct Lines {
    buf: Vec<u8>,
    telnet: Telnet,
    /// The last line ended with CR: a LF or NUL right after it belongs to that line end.
    after_cr: bool,
    max: usize,
    /// A line was too long: nothing more is read.
    lost: bool,
}

impl Lines {
    /// Lines of at most `max` bytes.
    pub fn new(max: usize) -> Lines {
        Lines {
            buf: Vec::new(),
            telnet: Telnet::Data,
            after_cr: false,
            max,
            lost: false,
        }
    }

    /// Take bytes as they arrive (a telnet sequence may be split across calls).
    pub fn push(&mut self, data: &[u8]) {
        if self.lost {
            return;
        }
        for &b in data {
            self.telnet = match (self.telnet, b) {
                (Telnet::Data, IAC) => Telnet::Command,
                (Telnet::Data, _) => {
                    self.buf.push(b);
                    Telnet::Data
                }
                // IAC IAC is a data byte 255 (not printable: the line will be refused).
                (Telnet::Command, IAC) => {
                    self.buf.push(IAC);
                    Telnet::Data
                }
                (Telnet::Command, SB) => Telnet::Sub,
                (Telnet::Command, 251..=254) => Telnet::Option,
                (Telnet::Command, _) | (Telnet::Option, _) => Telnet::Data,
                (Telnet::Sub, IAC) => Telnet::SubIac,
                (Telnet::Sub, _) => Telnet::Sub,
                (Telnet::SubIac, SE) => Telnet::Data,
                (Telnet::SubIac, _) => Telnet::Sub,
            };
        }
    }

    /// The next complete line, if any; empty lines are skipped (the device ignores them).
    pub fn next_line(&mut self) -> Option<Line> {
        loop {
            if self.after_cr {
                match self.buf.first() {
                    Some(b'\n' | 0) => {
                        self.buf.remove(0);
                        self.after_cr = false;
                    }
                    Some(_) => self.after_cr = false,
                    None => return None,
                }
            }
            let Some(end) = self.buf.iter().position(|&b| b == b'\n' || b == b'\r') else {
                return (self.buf.len() > self.max).then(|| self.too_long());
            };
            let line: Vec<u8> = self.buf.drain(..=end).collect();
            self.after_cr = line[end] == b'\r';
            let line = &line[..end];
            if line.is_empty() {
                continue;
            }
            if line.len() > self.max {
                return Some(self.too_long());
            }
            return Some(check(line));
        }
    }
}

impl Lines {
    fn too_long(&mut self) -> Line {
        self.lost = true;
        self.buf.clear();
        Line::TooLong
    }
}

fn check(line: &[u8]) -> Line {
    match line
        .iter()
        .position(|&b| !(b.is_ascii_graphic() || b == b' ' || b == b'\t'))
    {
        None => Line::Command(line.iter().map(|&b| b as char).collect()),
        Some(i) => Line::Invalid(format!(
            "non-printable byte 0x{:02x} at column {} of {}",
            line[i],
            i + 1,
            line.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<Line> {
        let mut l = Lines::new(16);
        let mut out = Vec::new();
        for c in chunks {
            l.push(c);
            while let Some(x) = l.next_line() {
                out.push(x);
            }
        }
        out
    }

    fn cmd(s: &str) -> Line {
        Line::Command(s.into())
    }

    #[test]
    fn line_ends_and_empty_lines() {
        assert_eq!(
            all(&[b"00:0\n01:1\r\n02:1\r", b"\n03:1\r\x0004:1\r05:1\n\n\r\n"]),
            [
                cmd("00:0"),
                cmd("01:1"),
                cmd("02:1"),
                cmd("03:1"),
                cmd("04:1"),
                cmd("05:1")
            ]
        );
        // A CR at the end of one read and LF at the start of the next is one line end.
        assert_eq!(
            all(&[b"01:1\r", b"\n", b"02:1\n"]),
            [cmd("01:1"), cmd("02:1")]
        );
    }

    /// The bug: control bytes were deleted, so `0\x012:1` fenced node 02 and a line of only
    /// control bytes got no reply at all.
    #[test]
    fn control_bytes_refuse_the_line() {
        assert_eq!(
            all(&[b"0\x012:1\n"]),
            [Line::Invalid(
                "non-printable byte 0x01 at column 2 of 5".into()
            )]
        );
        assert_eq!(
            all(&[b"\x01\x02\n", b"\x7f\n", b"02:1\xc3\xa9\n", b"\x00\n"]),
            [
                Line::Invalid("non-printable byte 0x01 at column 1 of 2".into()),
                Line::Invalid("non-printable byte 0x7f at column 1 of 1".into()),
                Line::Invalid("non-printable byte 0xc3 at column 5 of 6".into()),
                Line::Invalid("non-printable byte 0x00 at column 1 of 1".into()),
            ]
        );
        assert_eq!(all(&[b" 00:0\t\n"]), [cmd(" 00:0\t")]);
    }

    #[test]
    fn telnet_negotiation_is_not_part_of_the_line() {
        // IAC DO ECHO, IAC WILL SGA split across reads, IAC NOP, a subnegotiation with a
        // newline inside it, and IAC IAC (a literal 0xff, which is refused).
        assert_eq!(
            all(&[
                b"\xff\xfd\x01\xff",
                b"\xfb\x0300:\xff\xf10\n",
                b"\xff\xfa\x18\n\x00\xff\xf001:1\n",
                b"0\xff\xff\n"
            ]),
            [
                cmd("00:0"),
                cmd("01:1"),
                Line::Invalid("non-printable byte 0xff at column 2 of 2".into())
            ]
        );
    }

    #[test]
    fn too_long() {
        assert_eq!(all(&[b"0123456789abcdef"]), []);
        assert_eq!(all(&[b"0123456789abcdefg"]), [Line::TooLong]);
        assert_eq!(all(&[b"0123456789abcdefg\n00:0\n"]), [Line::TooLong]);
        assert_eq!(all(&[b"0123456789abcdefg", b"\n00:0\n"]), [Line::TooLong]);
    }
}
