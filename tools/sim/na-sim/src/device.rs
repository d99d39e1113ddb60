// SPDX-License-Identifier: GPL-2.0-or-later
//! The device itself: each node's power and reset switches and its power feed, changed by TNAP
//! commands and by time. No I/O and no clock of its own: every call takes `now`, so the tests
//! below drive time by hand.
//!
//! Timing follows what the 1.1.6 agent's fixed waits assume of a real device: `NN:2` holds the
//! power button for the press time *before* it answers (the firmware presses, waits, releases,
//! then replies), and an ATX power supply starts while the button is still down, so the feed of a
//! booting node is up by the time the reply arrives. The agent then sleeps 1 s and reads `00:0`.

use std::time::{Duration, Instant};
use tnap::{NodeCommand, NodeState, Request};

/// How long the simulated hardware takes (see `Config` for each field's meaning).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    pub boot: Duration,
    pub off: Duration,
    pub shutdown: Duration,
    pub press: Duration,
    pub forcedown: Duration,
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
    /// Changes due later, in no particular order.
    pending: Vec<(Instant, Change)>,
}

/// What the device answers to one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// `00:0`: the node state table.
    States,
    /// `00:1`: the device information.
    Info,
    /// A node command: `head` (one line), then the state table as it is at `ready_at` (when the
    /// device has finished pressing the button; `now` for the other commands).
    Node { head: String, ready_at: Instant },
    /// A node number this device does not have.
    NoSuchNode(String),
}

pub(crate) struct Device {
    nodes: Vec<Node>,
    timing: Timing,
    /// Commands received, in order.
    commands: Vec<String>,
}

impl Device {
    pub fn new(count: u8, initial_on: bool, timing: Timing) -> Device {
        let node = Node {
            power: false,
            reset: false,
            feed: initial_on,
            locked: false,
            pending: Vec::new(),
        };
        Device {
            nodes: vec![node; usize::from(count)],
            timing,
            commands: Vec::new(),
        }
    }

    pub fn count(&self) -> u8 {
        self.nodes.len() as u8
    }

    pub fn commands(&self) -> &[String] {
        &self.commands
    }

    /// Node `n` (1-based).
    pub fn node(&self, n: u8) -> Option<NodeState> {
        let x = self.nodes.get(usize::from(n).checked_sub(1)?)?;
        Some(NodeState {
            node: n,
            power: x.power,
            reset: x.reset,
            feed: x.feed,
        })
    }

    pub fn states(&self) -> Vec<NodeState> {
        (1..=self.count()).filter_map(|n| self.node(n)).collect()
    }

    /// Carry out one request received at `now`.
    pub fn request(&mut self, req: &Request, now: Instant) -> Answer {
        self.commands.push(req.to_string());
        let (n, cmd) = match *req {
            Request::States => return Answer::States,
            Request::Info => return Answer::Info,
            Request::Node(n, cmd) => (n, cmd),
        };
        let count = self.count();
        let t = self.timing;
        let Some(node) = self.nodes.get_mut(usize::from(n) - 1) else {
            return Answer::NoSuchNode(format!(
                "Invalid node: {n:02} (this device has {count:02} nodes)"
            ));
        };
        let mut ready_at = now;
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
                    node.pending.push((now + t.off, Change::Feed(false)));
                }
                "fence: power held off, panel locked"
            }
            NodeCommand::PowerButton => {
                if node.locked || node.power {
                    "power button: ignored, the power switch is held (release first)"
                } else {
                    node.power = true;
                    ready_at = now + t.press;
                    node.pending.push((ready_at, Change::ReleasePower));
                    if node.feed {
                        node.pending.push((now + t.shutdown, Change::Feed(false)));
                        "power button pressed: shutting down"
                    } else {
                        node.pending.push((now + t.boot, Change::Feed(true)));
                        "power button pressed: booting"
                    }
                }
            }
            NodeCommand::ForceOff => {
                node.power = true;
                node.pending.clear();
                if node.feed {
                    node.pending.push((now + t.off, Change::Feed(false)));
                }
                node.pending.push((now + t.forcedown, Change::ReleasePower));
                "force off: power button held"
            }
        };
        Answer::Node {
            head: format!("Node {n:02}: {what}"),
            ready_at,
        }
    }

    /// Apply every change due at `now`, in time order; the power feeds that changed, as
    /// (node, on).
    pub fn settle(&mut self, now: Instant) -> Vec<(u8, bool)> {
        let mut changed = Vec::new();
        for (i, node) in self.nodes.iter_mut().enumerate() {
            node.pending.sort_by_key(|(t, _)| *t);
            let due = node.pending.partition_point(|(t, _)| *t <= now);
            for (_, c) in node.pending.drain(..due).collect::<Vec<_>>() {
                match c {
                    Change::ReleasePower => {
                        if !node.locked {
                            node.power = false;
                        }
                    }
                    Change::Feed(on) => {
                        if node.feed != on {
                            node.feed = on;
                            changed.push((i as u8 + 1, on));
                        }
                    }
                }
            }
        }
        changed
    }

    /// The node's power feed changes by itself (someone at the machine, a power supply that
    /// recovers): set at once, whatever the switches say. `true` when it changed.
    pub fn set_feed(&mut self, n: u8, on: bool) -> Option<bool> {
        let node = self.nodes.get_mut(usize::from(n).checked_sub(1)?)?;
        node.pending.retain(|(_, c)| !matches!(c, Change::Feed(_)));
        let changed = node.feed != on;
        node.feed = on;
        Some(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn timing() -> Timing {
        Timing {
            boot: 500 * MS,
            off: 500 * MS,
            shutdown: 2000 * MS,
            press: 1000 * MS,
            forcedown: 5000 * MS,
        }
    }

    fn node(n: u8) -> Request {
        Request::Node(n, NodeCommand::PowerButton)
    }

    /// What the 1.1.6 agent's `on` plan (`NN:2`, reply, sleep 1, `00:0`) sees: the reply comes
    /// after the 1 s press, and the feed is up by then.
    #[test]
    fn power_button_answers_after_the_press_with_the_feed_up() {
        let t0 = Instant::now();
        let mut d = Device::new(2, false, timing());
        let Answer::Node { head, ready_at } = d.request(&node(2), t0) else {
            panic!("not a node answer")
        };
        assert_eq!(head, "Node 02: power button pressed: booting");
        assert_eq!(ready_at, t0 + 1000 * MS);
        assert!(
            d.node(2).unwrap().power,
            "the button is down during the press"
        );
        assert_eq!(d.settle(t0 + 499 * MS), vec![]);
        assert_eq!(d.settle(t0 + 500 * MS), vec![(2, true)]);
        d.settle(ready_at);
        let s = d.node(2).unwrap();
        assert!(s.feed && !s.power, "{s:?}");
        // A second press on the running node: an ACPI shutdown, feed off after 2 s.
        let t1 = ready_at + 1000 * MS;
        d.request(&node(2), t1);
        assert_eq!(d.settle(t1 + 1999 * MS), vec![]);
        assert_eq!(d.settle(t1 + 2000 * MS), vec![(2, false)]);
    }

    #[test]
    fn fence_holds_and_ignores_the_button_until_released() {
        let t0 = Instant::now();
        let mut d = Device::new(1, true, timing());
        let a = d.request(&Request::Node(1, NodeCommand::Fence), t0);
        assert!(matches!(a, Answer::Node { ready_at, .. } if ready_at == t0));
        assert_eq!(d.settle(t0 + 500 * MS), vec![(1, false)]);
        let Answer::Node { head, ready_at } = d.request(&node(1), t0 + 600 * MS) else {
            panic!()
        };
        assert!(head.contains("ignored"), "{head}");
        assert_eq!(ready_at, t0 + 600 * MS, "an ignored press answers at once");
        assert_eq!(d.settle(t0 + 5000 * MS), vec![]);
        d.request(&Request::Node(1, NodeCommand::Release), t0 + 5 * 1000 * MS);
        let s = d.node(1).unwrap();
        assert!(!s.power && !s.reset && !s.feed);
        assert_eq!(d.commands(), ["01:1", "01:2", "01:0"]);
    }

    #[test]
    fn force_off_releases_the_button_after_the_hold() {
        let t0 = Instant::now();
        let mut d = Device::new(1, true, timing());
        d.request(&Request::Node(1, NodeCommand::ForceOff), t0);
        assert_eq!(d.settle(t0 + 500 * MS), vec![(1, false)]);
        assert!(d.node(1).unwrap().power);
        d.settle(t0 + 5000 * MS);
        assert!(!d.node(1).unwrap().power);
    }

    #[test]
    fn unknown_node_and_set_feed() {
        let t0 = Instant::now();
        let mut d = Device::new(2, true, timing());
        assert_eq!(
            d.request(&Request::Node(9, NodeCommand::Fence), t0),
            Answer::NoSuchNode("Invalid node: 09 (this device has 02 nodes)".into())
        );
        d.request(&Request::Node(1, NodeCommand::Fence), t0);
        d.settle(t0 + 500 * MS);
        // The node comes back by itself: the pending changes no longer apply.
        assert_eq!(d.set_feed(1, true), Some(true));
        assert_eq!(d.settle(t0 + 10_000 * MS), vec![]);
        assert!(d.node(1).unwrap().feed);
        assert_eq!(d.set_feed(3, true), None);
    }
}
