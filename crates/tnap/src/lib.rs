// SPDX-License-Identifier: GPL-2.0-or-later
//! The Node Assassin protocol (TNAP 1.1.x): commands, replies, and their parsers. No I/O here.
//!
//! A command is `NN:S` and a newline, `NN` the node number (two digits, `00` addresses the device
//! itself), `S` the state. Every reply ends with a line `EOM`; a reply without it is corrupt.
//!
//! ```
//! let reply = "Node states:\n- Node Count: 02\n- Node 01: P0, R0, F1\n- Node 02: P1 R0 F0\nEnd Message.\nEOM\n";
//! let states = tnap::parse_state_reply(reply).unwrap();
//! assert_eq!(states.nodes[1].node, 2);
//! assert!(!states.nodes[1].feed);
//! ```

use std::fmt;

/// The largest node number two digits can address.
pub const MAX_NODE: u8 = 99;
/// The default TCP port of a Node Assassin.
pub const DEFAULT_PORT: u16 = 238;
/// The line that ends every reply.
pub const EOM: &str = "EOM";

/// The state a command sets a node to (the `S` of `NN:S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeCommand {
    /// 0: release the power and reset switches.
    Release,
    /// 1: fence: hold the power switch (node off) and lock the front panel.
    Fence,
    /// 2: press the power button for about a second (boot, or ACPI shutdown).
    PowerButton,
    /// 3: hold the power button 5-30 s to force the node off, without the lock.
    ForceOff,
}

impl NodeCommand {
    pub fn digit(self) -> u8 {
        match self {
            NodeCommand::Release => 0,
            NodeCommand::Fence => 1,
            NodeCommand::PowerButton => 2,
            NodeCommand::ForceOff => 3,
        }
    }

    pub fn from_digit(d: u8) -> Option<Self> {
        Some(match d {
            0 => NodeCommand::Release,
            1 => NodeCommand::Fence,
            2 => NodeCommand::PowerButton,
            3 => NodeCommand::ForceOff,
            _ => return None,
        })
    }
}

/// A request to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `00:0`: all node states.
    States,
    /// `00:1`: device information.
    Info,
    /// `NN:S` for node `NN` (1..=99).
    Node(u8, NodeCommand),
}

impl Request {
    /// The bytes to send, newline included.
    pub fn encode(&self) -> String {
        match self {
            Request::States => "00:0\n".to_string(),
            Request::Info => "00:1\n".to_string(),
            Request::Node(n, c) => format!("{:02}:{}\n", n, c.digit()),
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode().trim_end())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("reply has no EOM line (truncated or corrupt)")]
    NoEom,
    #[error("reply has no node state lines")]
    NoNodes,
    #[error("bad node state line '{0}': expected '- Node NN: P0, R0, F1'")]
    BadNodeLine(String),
    #[error("bad command '{0}': expected NN:S with NN 00..99 and S 0..3")]
    BadCommand(String),
    #[error("node {0:02} listed twice in the reply")]
    Duplicate(u8),
}

/// Where the first `EOM` line ends in `buf` (the index just past its newline, or the end of the
/// buffer when `EOM` is its last line without a newline); `None` while the reply is incomplete.
/// A line counts as the EOM line when, trimmed, it ends in `EOM` (the 1.1.6 agent's rule).
pub fn find_eom(buf: &[u8]) -> Option<usize> {
    let mut start = 0;
    while start < buf.len() {
        let (line, next) = match buf[start..].iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[start..start + i], start + i + 1),
            None => (&buf[start..], buf.len()),
        };
        let text = String::from_utf8_lossy(line);
        let t = text.trim();
        if t.ends_with(EOM) && (t.len() == 3 || !t.as_bytes()[t.len() - 4].is_ascii_alphanumeric())
        {
            // A final line without newline counts only when it is exactly complete: the next
            // read could not extend "EOM" into something else that still ends in EOM.
            return Some(next);
        }
        start = next;
    }
    None
}

/// The text of a complete reply without its EOM line; `Err(NoEom)` if it has none.
pub fn strip_eom(reply: &str) -> Result<&str, ParseError> {
    let end = find_eom(reply.as_bytes()).ok_or(ParseError::NoEom)?;
    let body = &reply[..end];
    // Cut the EOM line itself.
    let trimmed = body.trim_end_matches(['\r', '\n']);
    let cut = trimmed.rfind('\n').map(|i| i + 1).unwrap_or(0);
    Ok(&reply[..cut])
}

/// One node in a state reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeState {
    pub node: u8,
    /// Power switch closed (held).
    pub power: bool,
    /// Reset switch closed (held).
    pub reset: bool,
    /// Power feed: the node has power.
    pub feed: bool,
}

impl NodeState {
    /// `- Node 01: P0, R0, F1` (with commas, as the 1.1.6 agent parses) or without.
    pub fn line(&self, commas: bool) -> String {
        let sep = if commas { ", " } else { " " };
        format!(
            "- Node {:02}: P{}{sep}R{}{sep}F{}",
            self.node, self.power as u8, self.reset as u8, self.feed as u8
        )
    }
}

/// A parsed `00:0` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateReply {
    /// `- Node Count: NN`, when present.
    pub count: Option<u8>,
    pub nodes: Vec<NodeState>,
}

impl StateReply {
    pub fn node(&self, n: u8) -> Option<&NodeState> {
        self.nodes.iter().find(|s| s.node == n)
    }

    /// The number of nodes the device has: the Node Count line, else the highest node listed.
    pub fn node_count(&self) -> u8 {
        self.count
            .unwrap_or_else(|| self.nodes.iter().map(|n| n.node).max().unwrap_or(0))
    }
}

fn parse_bit(tok: &str, letter: char) -> Option<bool> {
    let mut c = tok.chars();
    if c.next()?.to_ascii_uppercase() != letter {
        return None;
    }
    match (c.next()?, c.next()) {
        ('0', None) => Some(false),
        ('1', None) => Some(true),
        _ => None,
    }
}

/// Parse one `- Node NN: P0, R0, F1` line (commas optional). `Ok(None)` for lines that are not
/// node lines; `Err` for a node line whose state cannot be read.
pub fn parse_node_line(line: &str) -> Result<Option<NodeState>, ParseError> {
    let t = line.trim().trim_start_matches('-').trim_start();
    let Some(rest) = t.strip_prefix("Node ") else {
        return Ok(None);
    };
    let Some((num, states)) = rest.split_once(':') else {
        return Ok(None);
    };
    let num = num.trim();
    if !num.starts_with(|c: char| c.is_ascii_digit()) {
        // "Node states:", "Node Count: 04": headers, not node lines.
        return Ok(None);
    }
    let bad = || ParseError::BadNodeLine(line.trim().chars().take(80).collect());
    let node: u8 = num
        .parse()
        .ok()
        .filter(|n| (1..=MAX_NODE).contains(n))
        .ok_or_else(bad)?;
    let toks: Vec<&str> = states
        .split([',', ' ', '\t'])
        .filter(|s| !s.is_empty())
        .collect();
    if toks.len() != 3 {
        return Err(bad());
    }
    Ok(Some(NodeState {
        node,
        power: parse_bit(toks[0], 'P').ok_or_else(bad)?,
        reset: parse_bit(toks[1], 'R').ok_or_else(bad)?,
        feed: parse_bit(toks[2], 'F').ok_or_else(bad)?,
    }))
}

/// Parse a complete `00:0` reply (EOM required).
pub fn parse_state_reply(reply: &str) -> Result<StateReply, ParseError> {
    let body = strip_eom(reply)?;
    let mut nodes: Vec<NodeState> = Vec::new();
    let mut count = None;
    for line in body.lines() {
        let t = line.trim().trim_start_matches('-').trim_start();
        if let Some(c) = t.strip_prefix("Node Count:") {
            count = c.trim().parse().ok();
            continue;
        }
        if let Some(n) = parse_node_line(line)? {
            if nodes.iter().any(|x| x.node == n.node) {
                return Err(ParseError::Duplicate(n.node));
            }
            nodes.push(n);
        }
    }
    if nodes.is_empty() {
        return Err(ParseError::NoNodes);
    }
    Ok(StateReply { count, nodes })
}

/// A parsed `00:1` reply: the fields the device reports, each `None` when absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    pub build_date: Option<String>,
    pub serial: Option<String>,
    pub version: Option<String>,
    pub node_count: Option<u8>,
}

/// Parse a complete `00:1` reply (EOM required). Unknown lines are ignored.
pub fn parse_info_reply(reply: &str) -> Result<DeviceInfo, ParseError> {
    let body = strip_eom(reply)?;
    let mut info = DeviceInfo::default();
    for line in body.lines() {
        let t = line.trim().trim_start_matches('-').trim_start();
        let Some((k, v)) = t.split_once(':') else {
            continue;
        };
        let v = v.trim().to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "build date" => info.build_date = Some(v),
            "serial number" => info.serial = Some(v),
            "naos version" => info.version = Some(v),
            "node count" => info.node_count = v.parse().ok(),
            _ => {}
        }
    }
    Ok(info)
}

/// Parse a command line as the device receives it (`NN:S`, surrounding whitespace ignored).
pub fn parse_request(line: &str) -> Result<Request, ParseError> {
    let t = line.trim();
    let bad = || ParseError::BadCommand(t.chars().take(40).collect());
    let (n, s) = t.split_once(':').ok_or_else(bad)?;
    if n.len() != 2 || s.len() != 1 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u8 = n.parse().map_err(|_| bad())?;
    let s: u8 = s.parse().map_err(|_| bad())?;
    match (n, s) {
        (0, 0) => Ok(Request::States),
        (0, 1) => Ok(Request::Info),
        (0, _) => Err(bad()),
        (n, s) => Ok(Request::Node(
            n,
            NodeCommand::from_digit(s).ok_or_else(bad)?,
        )),
    }
}

/// The `00:0` reply for `nodes`, as a device sends it.
pub fn format_state_reply(nodes: &[NodeState], commas: bool) -> String {
    let mut s = String::from("Node states:\n");
    s.push_str(&format!("- Node Count: {:02}\n", nodes.len()));
    for n in nodes {
        s.push_str(&n.line(commas));
        s.push('\n');
    }
    s.push_str("End Message.\nEOM\n");
    s
}

/// The `00:1` reply.
pub fn format_info_reply(info: &DeviceInfo) -> String {
    let mut s = String::from("Node Assassin:\n");
    let mut field = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            s.push_str(&format!("- {k}: {v}\n"));
        }
    };
    field("Build Date", &info.build_date);
    field("Serial Number", &info.serial);
    field("NAOS Version", &info.version);
    field("Node Count", &info.node_count.map(|c| format!("{c:02}")));
    s.push_str("End Message.\nEOM\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const WITH_COMMAS: &str = "Node states:\r\n- Node Count: 04\r\n- Node 01: P0, R0, F1\r\n- Node 02: P1, R0, F0\r\n- Node 03: P0, R1, F1\r\n- Node 04: P0, R0, F0\r\nEnd Message.\r\nEOM\r\n";

    #[test]
    fn parses_states_with_and_without_commas() {
        let a = parse_state_reply(WITH_COMMAS).unwrap();
        let b = parse_state_reply(&WITH_COMMAS.replace(", ", " ")).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.count, Some(4));
        assert_eq!(a.nodes.len(), 4);
        assert_eq!(
            a.node(2),
            Some(&NodeState {
                node: 2,
                power: true,
                reset: false,
                feed: false
            })
        );
        assert!(a.node(3).unwrap().reset);
        assert!(a.node(5).is_none());
        assert_eq!(a.node_count(), 4);
    }

    #[test]
    fn rejects_reply_without_eom() {
        let cut = WITH_COMMAS.replace("EOM\r\n", "");
        assert_eq!(parse_state_reply(&cut), Err(ParseError::NoEom));
        assert_eq!(parse_state_reply(""), Err(ParseError::NoEom));
        // "NOEOM" or "EOMX" are not the EOM line.
        assert_eq!(find_eom(b"NOEOM\n"), None);
        assert_eq!(find_eom(b"EOMX\n"), None);
        assert_eq!(find_eom(b"x\nEOM"), Some(5));
        assert_eq!(find_eom(b"x\nEOM\nmore"), Some(6));
    }

    #[test]
    fn rejects_corrupt_node_lines() {
        for bad in [
            "- Node 01: P0, R0\nEOM\n",
            "- Node 01: P0, R0, F2\nEOM\n",
            "- Node 01: X0, R0, F1\nEOM\n",
            "- Node 1x: P0, R0, F1\nEOM\n",
            "- Node 00: P0, R0, F1\nEOM\n",
            "- Node 01: P0, R0, F1, Z1\nEOM\n",
        ] {
            assert!(
                matches!(parse_state_reply(bad), Err(ParseError::BadNodeLine(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_state_reply("Node states:\nEnd Message.\nEOM\n"),
            Err(ParseError::NoNodes)
        );
        assert_eq!(
            parse_state_reply("- Node 01: P0 R0 F1\n- Node 01: P0 R0 F1\nEOM\n"),
            Err(ParseError::Duplicate(1))
        );
    }

    #[test]
    fn node_count_falls_back_to_highest_node() {
        let r = parse_state_reply("- Node 01: P0 R0 F1\n- Node 03: P0 R0 F1\nEOM\n").unwrap();
        assert_eq!(r.count, None);
        assert_eq!(r.node_count(), 3);
    }

    #[test]
    fn round_trips_what_the_simulator_sends() {
        let nodes: Vec<NodeState> = (1..=3)
            .map(|n| NodeState {
                node: n,
                power: n == 2,
                reset: false,
                feed: n != 2,
            })
            .collect();
        for commas in [true, false] {
            let r = parse_state_reply(&format_state_reply(&nodes, commas)).unwrap();
            assert_eq!(r.nodes, nodes);
            assert_eq!(r.count, Some(3));
        }
        assert!(format_state_reply(&nodes, true).contains("- Node 02: P1, R0, F0\n"));
        let info = DeviceInfo {
            build_date: Some("2010-03-12".into()),
            serial: Some("NA-0001".into()),
            version: Some("1.1.6".into()),
            node_count: Some(4),
        };
        assert_eq!(parse_info_reply(&format_info_reply(&info)).unwrap(), info);
    }

    #[test]
    fn requests_encode_and_parse() {
        assert_eq!(Request::States.encode(), "00:0\n");
        assert_eq!(Request::Info.encode(), "00:1\n");
        assert_eq!(Request::Node(2, NodeCommand::Fence).encode(), "02:1\n");
        assert_eq!(Request::Node(12, NodeCommand::ForceOff).to_string(), "12:3");
        assert_eq!(parse_request("00:0\r\n"), Ok(Request::States));
        assert_eq!(
            parse_request(" 04:2 "),
            Ok(Request::Node(4, NodeCommand::PowerButton))
        );
        for bad in ["", "0:1", "00:2", "01:4", "aa:1", "01:", "001:1", "01:1:1"] {
            assert!(parse_request(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn strip_eom_cuts_the_eom_line() {
        assert_eq!(strip_eom("a\nb\nEOM\n").unwrap(), "a\nb\n");
        assert_eq!(strip_eom("EOM").unwrap(), "");
    }

    /// Deterministic pseudo-random inputs: the parsers never panic, whatever the bytes.
    #[test]
    fn parsers_never_panic_on_random_input() {
        let mut rng = rustha_testkit::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = || rng.next_u64();
        let alphabet: &[u8] = b"- Node:0123456789PRFEOMCount,\r\n\t\xff\xc3x";
        for _ in 0..20_000 {
            let len = (next() % 120) as usize;
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            if next() % 2 == 0 {
                bytes.extend_from_slice(b"\nEOM\n");
            }
            let s = String::from_utf8_lossy(&bytes);
            let _ = parse_state_reply(&s);
            let _ = parse_info_reply(&s);
            let _ = parse_request(&s);
            let _ = find_eom(&bytes);
            let _ = strip_eom(&s);
        }
        // Mutations of a valid reply.
        let base = WITH_COMMAS.as_bytes();
        for _ in 0..20_000 {
            let mut b = base.to_vec();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() % b.len() as u64) as usize;
                b[i] = (next() & 0xff) as u8;
            }
            let cut = (next() % (b.len() as u64 + 1)) as usize;
            let s = String::from_utf8_lossy(&b[..cut]);
            let _ = parse_state_reply(&s);
        }
    }
}
