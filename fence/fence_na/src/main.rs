// SPDX-License-Identifier: GPL-2.0-or-later
//! fence_na: the fence agent for Node Assassin (TNAP 1.1.x over TCP), a drop-in for the 1.1.6
//! Perl agent, on the rustha Fence Agent API runtime.
//!
//! off: `NN:1` (hold power off, lock the panel), confirm the power feed is off.
//! on: if the feed is on already, done; else `NN:0` if a switch is held, `NN:2`, confirm it is on.
//! reboot: off, then on; the result is that of the off step. status: 0 on, 2 off, 1 error.

mod client;
mod config;

use client::Client;
use config::{NaConfig, DEFAULT_PATH};
use rustha_fence::options::{common_options, tweak};
use rustha_fence::text::{secs, shown};
use rustha_fence::Confirmation;
use rustha_fence::{
    opt, AgentInfo, Ctx, ExitCode, ExtraAction, FenceAgent, FenceError, Kind, Opt, OptSpec,
    Options, PowerState,
};
use std::time::Instant;
use tnap::{NodeCommand, Request, StateReply};

/// A TNAP failure is a Fence API failure (exit 1) with its one line.
impl From<client::Error> for FenceError {
    fn from(e: client::Error) -> Self {
        tracing::debug!("TNAP failure ({:?})", e.kind);
        FenceError::new(e.message)
    }
}

/// fence_na's own options (besides rustha_fence's common ones).
const CONFIG: Opt = Opt::new("config");
/// 1.1.6: `fm=<method> <port>`, the port is its second word.
const FM: Opt = Opt::new("fm");
/// Set by fenced, ignored.
const AGENT: Opt = Opt::new("agent");
/// 1.1.6's `-d`: debug output (same as `--verbose`).
const DEBUG_OUTPUT: Opt = Opt::new("debug_output");

#[derive(Default)]
struct NodeAssassin {
    config: Option<NaConfig>,
    config_path: String,
    host: String,
    port: u16,
    max_nodes: Option<u8>,
    aliases: std::collections::BTreeMap<u8, String>,
    /// Nodes aliased `unused` in the config file: not listed.
    unused: std::collections::BTreeSet<u8>,
    client: Option<Client>,
}

fn options() -> Vec<OptSpec> {
    let mut t = common_options();
    tweak(&mut t, opt::IP, |o| {
        o.required = false;
        o.desc =
            "IP address or hostname of the Node Assassin (or na::N::ipaddr in the config file)";
    });
    tweak(&mut t, opt::IPPORT, |o| {
        o.default = Some("238");
        o.desc = "TCP port of the Node Assassin (or na::N::tcp_port in the config file)";
    });
    tweak(&mut t, opt::PLUG, |o| {
        o.desc = "Node number on the Node Assassin (1..max, '2' and '02' are the same) or its alias from the config file";
    });
    tweak(&mut t, opt::USERNAME, |o| {
        o.aliases = &["name"];
        o.desc = "Login name, checked against system::username in the config file (the device itself has no login)";
    });
    tweak(&mut t, opt::PASSWORD, |o| {
        o.desc = "Login password, checked against system::password in the config file";
    });
    t.push(
        OptSpec::new(
            CONFIG,
            Kind::String,
            "Configuration file (node aliases, tcp_port, max_nodes, local username/password check)",
        )
        .arg("path")
        .default(DEFAULT_PATH),
    );
    // 1.1.6 keys: fm (its second word is the port), agent (ignored).
    t.push(OptSpec::new(FM, Kind::String, "Deprecated: second word is the port").hidden());
    t.push(OptSpec::new(AGENT, Kind::String, "Ignored (set by fenced)").hidden());
    // 1.1.6's -d: debug output (same as --verbose).
    t.push(
        OptSpec::new(
            DEBUG_OUTPUT,
            Kind::Flag,
            "Debug output (1.1.6's -d; same as --verbose)",
        )
        .short('d')
        .hidden(),
    );
    t
}

/// The extra actions of the 1.1.6 agent, each with its handler (`plug` normalized; power_timeout
/// counts from the call, for one node or all of them).
fn extra_actions() -> Vec<ExtraAction<NodeAssassin>> {
    type Na = NodeAssassin;
    vec![
        ExtraAction::new(
            "release",
            true,
            "Release the node's power and reset switches and unlock its front panel (NN:0)",
            |na: &mut Na, ctx, plug| na.release(ctx, plug.unwrap_or("")),
        ),
        ExtraAction::new(
            "release_all",
            false,
            "Release every node",
            |na: &mut Na, ctx, _| {
                for p in na.all_nodes(ctx)? {
                    na.command(ctx, Na::node_number(&p)?, NodeCommand::Release)?;
                }
                Ok(())
            },
        ),
        ExtraAction::new(
            "fence_all",
            false,
            "Fence every node: hold power off and lock the panels (NN:1)",
            |na: &mut Na, ctx, _| {
                na.command_all(ctx, NodeCommand::Fence, "fence_all", Instant::now())
            },
        ),
        ExtraAction::new(
            "boot",
            true,
            "Boot the node by pressing its power button (NN:2) if it is off",
            |na: &mut Na, ctx, plug| {
                let (p, sent) = (plug.unwrap_or(""), Instant::now());
                if na.boot(ctx, p)? {
                    na.confirm(ctx, p, PowerState::On, "boot", sent)?;
                }
                Ok(())
            },
        ),
        ExtraAction::new(
            "boot_all",
            false,
            "Boot every node that is off",
            |na: &mut Na, ctx, _| na.press_all(ctx, PowerState::On, "boot_all", Instant::now()),
        ),
        ExtraAction::new(
            "shutdown",
            true,
            "Shut the node down gracefully by pressing its power button (NN:2) if it is on",
            |na: &mut Na, ctx, plug| {
                let (p, sent) = (plug.unwrap_or(""), Instant::now());
                if na.shutdown(ctx, p)? {
                    na.confirm(ctx, p, PowerState::Off, "shutdown", sent)?;
                }
                Ok(())
            },
        ),
        ExtraAction::new(
            "shutdown_all",
            false,
            "Shut down every node that is on",
            |na: &mut Na, ctx, _| {
                na.press_all(ctx, PowerState::Off, "shutdown_all", Instant::now())
            },
        ),
        ExtraAction::new(
            "forcedown",
            true,
            "Force the node off by holding its power button, without locking the panel (NN:3)",
            |na: &mut Na, ctx, plug| {
                let (p, sent) = (plug.unwrap_or(""), Instant::now());
                na.command(ctx, Na::node_number(p)?, NodeCommand::ForceOff)?;
                na.confirm(ctx, p, PowerState::Off, "forcedown", sent)
            },
        ),
        ExtraAction::new(
            "forcedown_all",
            false,
            "Force every node off (NN:3)",
            |na: &mut Na, ctx, _| {
                na.command_all(ctx, NodeCommand::ForceOff, "forcedown_all", Instant::now())
            },
        ),
    ]
}

impl NodeAssassin {
    fn client(&mut self) -> Result<&mut Client, FenceError> {
        self.client
            .as_mut()
            .ok_or_else(|| FenceError::new("not connected to the Node Assassin"))
    }

    fn ask(&mut self, ctx: &Ctx, req: Request) -> Result<String, FenceError> {
        let d = ctx.shell_deadline();
        let t = ctx.opts.seconds(opt::SHELL_TIMEOUT);
        Ok(self.client()?.request(req, &d, t)?)
    }

    fn states(&mut self, ctx: &Ctx) -> Result<StateReply, FenceError> {
        let reply = self.ask(ctx, Request::States)?;
        let peer = self.client()?.peer().to_string();
        let st = tnap::parse_state_reply(&reply).map_err(|e| {
            FenceError::new(format!(
                "corrupt reply from Node Assassin at {peer} to '00:0': {e}"
            ))
        })?;
        if self.max_nodes.is_none() {
            self.max_nodes = Some(st.node_count());
        }
        Ok(st)
    }

    fn node_number(plug: &str) -> Result<u8, FenceError> {
        plug.parse()
            .map_err(|_| FenceError::new(format!("port '{}' is not a node number", shown(plug))))
    }

    fn node_state(&mut self, ctx: &Ctx, plug: &str) -> Result<tnap::NodeState, FenceError> {
        let n = Self::node_number(plug)?;
        let st = self.states(ctx)?;
        let peer = self.client()?.peer().to_string();
        if n > st.node_count() {
            return Err(FenceError::new(format!(
                "port '{}' is out of range: the Node Assassin at {peer} has {:02} nodes (expected 01..{:02})",
                shown(plug),
                st.node_count(),
                st.node_count()
            )));
        }
        st.node(n).copied().ok_or_else(|| {
            FenceError::new(format!(
                "Node Assassin at {peer} did not report node {n:02} in its state reply"
            ))
        })
    }

    fn command(&mut self, ctx: &Ctx, n: u8, cmd: NodeCommand) -> Result<(), FenceError> {
        let reply = self.ask(ctx, Request::Node(n, cmd))?;
        if reply.starts_with("Invalid") {
            let line = shown(reply.lines().next().unwrap_or("").trim());
            let peer = self.client()?.peer().to_string();
            return Err(FenceError::new(format!(
                "Node Assassin at {peer} rejected '{}': {line}",
                Request::Node(n, cmd)
            )));
        }
        Ok(())
    }

    fn all_nodes(&mut self, ctx: &Ctx) -> Result<Vec<String>, FenceError> {
        let st = self.states(ctx)?;
        Ok((1..=st.node_count()).map(|n| format!("{n:02}")).collect())
    }

    /// Release a held node, then press its power button.
    fn press_power(&mut self, ctx: &Ctx, plug: &str) -> Result<(), FenceError> {
        let s = self.node_state(ctx, plug)?;
        if s.power || s.reset {
            self.command(ctx, s.node, NodeCommand::Release)?;
        }
        self.command(ctx, s.node, NodeCommand::PowerButton)
    }

    fn confirm(
        &mut self,
        ctx: &Ctx,
        plug: &str,
        want: PowerState,
        what: &str,
        sent: Instant,
    ) -> Result<(), FenceError> {
        let how = rustha_fence::wait_for(self, ctx, plug, want, sent)?;
        if how.confirmed() {
            return Ok(());
        }
        let old = if want == PowerState::On { "OFF" } else { "ON" };
        let within = secs(ctx.opts.seconds(opt::POWER_WAIT) + ctx.opts.seconds(opt::POWER_TIMEOUT));
        Err(FenceError::new(match how {
            Confirmation::NotHeld => format!(
                "{what}: node {plug} read {want} but then {old} again within {within} (power_wait + power_timeout)"
            ),
            _ => format!(
                "{what}: node {plug} still {old} after {within} (power_wait + power_timeout)"
            ),
        }))
    }

    /// Send `cmd` (fence or force off) to every node, then confirm that each is off.
    fn command_all(
        &mut self,
        ctx: &Ctx,
        cmd: NodeCommand,
        what: &str,
        sent: Instant,
    ) -> Result<(), FenceError> {
        let nodes = self.all_nodes(ctx)?;
        for p in &nodes {
            self.command(ctx, Self::node_number(p)?, cmd)?;
        }
        for p in &nodes {
            self.confirm(ctx, p, PowerState::Off, what, sent)?;
        }
        Ok(())
    }

    /// Press the power button of every node that is not `want` yet (boot: the ones that are
    /// off; shutdown: the ones that are on), then confirm that each of them got there.
    fn press_all(
        &mut self,
        ctx: &Ctx,
        want: PowerState,
        what: &str,
        sent: Instant,
    ) -> Result<(), FenceError> {
        let mut pressed = Vec::new();
        for p in self.all_nodes(ctx)? {
            let did = match want {
                PowerState::On => self.boot(ctx, &p)?,
                PowerState::Off => self.shutdown(ctx, &p)?,
            };
            if did {
                pressed.push(p);
            }
        }
        for p in &pressed {
            self.confirm(ctx, p, want, what, sent)?;
        }
        Ok(())
    }

    /// `NN:0`, then check that no switch is held any more.
    fn release(&mut self, ctx: &Ctx, plug: &str) -> Result<(), FenceError> {
        let n = Self::node_number(plug)?;
        self.command(ctx, n, NodeCommand::Release)?;
        let s = self.node_state(ctx, plug)?;
        if s.power || s.reset {
            return Err(FenceError::new(format!(
                "release: node {plug} still has a switch held ({})",
                s.line(true)
            )));
        }
        Ok(())
    }

    fn boot(&mut self, ctx: &Ctx, plug: &str) -> Result<bool, FenceError> {
        if self.get_power_status(ctx, plug)? == PowerState::On {
            return Ok(false);
        }
        self.press_power(ctx, plug)?;
        Ok(true)
    }

    fn shutdown(&mut self, ctx: &Ctx, plug: &str) -> Result<bool, FenceError> {
        let s = self.node_state(ctx, plug)?;
        if !s.feed {
            return Ok(false);
        }
        if s.power || s.reset {
            self.command(ctx, s.node, NodeCommand::Release)?;
        }
        self.command(ctx, s.node, NodeCommand::PowerButton)?;
        Ok(true)
    }
}

impl FenceAgent for NodeAssassin {
    fn info(&self) -> AgentInfo<Self> {
        AgentInfo {
            name: "fence_na",
            shortdesc: "Fence agent for Node Assassin",
            longdesc: "fence_na is an I/O fencing agent for the Node Assassin, an open-hardware fence device that holds each node's power and reset switches and senses its power feed. It speaks TNAP 1.1.x over TCP (default port 238) and confirms every power change by reading the node's power feed.",
            vendor_url: "https://alteeve.com/w/Node_Assassin",
            version: env!("CARGO_PKG_VERSION"),
            options: options(),
            extra_actions: extra_actions(),
            plugin_config: &[opt::IP, opt::IPPORT, opt::USERNAME, opt::PASSWORD, CONFIG],
            supports_list: true,
            examples: &[
                "pcs stonith create na fence_na ip=192.168.1.66 pcmk_host_map=\"node1:01;node2:02\"",
                "crm configure primitive na stonith:fence_na params ip=192.168.1.66 pcmk_host_map=\"node1:01;node2:02\"",
                "fence_na -a 192.168.1.66 -n 02 -o status",
                "printf 'ipaddr=192.168.1.66\\nport=02\\naction=off\\n' | fence_na",
            ],
            see_also: &["na-sim(1)", "fenced(8)"],
        }
    }

    fn adjust_options(&self, opts: &mut Options) {
        if opts.flag(DEBUG_OUTPUT) {
            opts.set(opt::VERBOSE, "1");
        }
        // fm=<method> <port>: the 1.1.6 agent took the port from its second word.
        if !opts.is_set(opt::PLUG) {
            if let Some(p) = opts.get(FM).and_then(|f| f.split_whitespace().nth(1)) {
                let p = p.to_string();
                opts.set(opt::PLUG, &p);
            }
        }
    }

    fn validate(&mut self, ctx: &Ctx) -> Result<(), FenceError> {
        let opts = ctx.opts;
        let path = opts.value(CONFIG).unwrap_or(DEFAULT_PATH).to_string();
        let explicit = opts.is_set(CONFIG);
        self.config = match std::fs::read_to_string(&path) {
            Ok(text) => Some(config::parse(&text, &path).map_err(FenceError::new)?),
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(FenceError::new(format!(
                    "config '{}' cannot be read: {e}",
                    shown(&path)
                )))
            }
        };
        self.config_path = path;
        let ip = opts.get(opt::IP).map(str::trim).filter(|s| !s.is_empty());
        let device = self.config.as_ref().and_then(|c| c.device(ip)).cloned();
        if let Some(c) = &self.config {
            if let Some(user) = &c.username {
                let given_user = opts.get(opt::USERNAME).unwrap_or("");
                let pw_ok = match &c.password {
                    Some(want) => ctx.password().map(|p| p.expose()) == Some(want.expose()),
                    None => true,
                };
                if given_user != user || !pw_ok {
                    return Err(FenceError::with_code(
                        ExitCode::LoginMismatch,
                        format!(
                            "login '{given_user}' or its password does not match system::username/system::password in {}",
                            self.config_path
                        ),
                    ));
                }
            }
        }
        self.host = match ip.or(device.as_ref().and_then(|d| d.ipaddr.as_deref())) {
            Some(h) => h.to_string(),
            None => {
                return Err(FenceError::new(format!(
                    "no Node Assassin address: set ip (ipaddr on stdin, -a on the command line) or na::1::ipaddr in {}",
                    self.config_path
                )))
            }
        };
        let port_given = opts.get(opt::IPPORT).map(str::trim);
        self.port = match port_given {
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                FenceError::new(format!(
                    "ipport '{}' is not a TCP port (expected 1..65535, default 238)",
                    shown(p)
                ))
            })?,
            None => device
                .as_ref()
                .and_then(|d| d.tcp_port)
                .unwrap_or(tnap::DEFAULT_PORT),
        };
        if let Some(d) = device {
            self.max_nodes = d.max_nodes;
            self.aliases = d.aliases;
            self.unused = d.unused;
        }
        Ok(())
    }

    fn normalize_plug(&mut self, _ctx: &Ctx, plug: &str) -> Result<String, FenceError> {
        let p = plug.trim();
        let shown_p = shown(p);
        let n: u8 = if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse()
                .ok()
                .filter(|n| (1..=tnap::MAX_NODE).contains(n))
                .ok_or_else(|| {
                    FenceError::new(format!(
                        "port '{shown_p}' is out of range (expected a node number 1..{})",
                        self.max_nodes.unwrap_or(tnap::MAX_NODE)
                    ))
                })?
        } else {
            let short = |s: &str| s.split('.').next().unwrap_or(s).to_ascii_lowercase();
            self.aliases
                .iter()
                .find(|(_, a)| a.eq_ignore_ascii_case(p) || short(a) == short(p))
                .map(|(n, _)| *n)
                .ok_or_else(|| {
                    FenceError::new(format!(
                        "port '{shown_p}' is not a node number (expected 1..{} or an alias from {})",
                        self.max_nodes.unwrap_or(tnap::MAX_NODE),
                        self.config_path
                    ))
                })?
        };
        if let Some(max) = self.max_nodes {
            if n > max {
                return Err(FenceError::new(format!(
                    "port '{shown_p}' is out of range: max_nodes is {max} in {} (expected 1..{max})",
                    self.config_path
                )));
            }
        }
        Ok(format!("{n:02}"))
    }

    fn connect(&mut self, ctx: &Ctx) -> Result<(), FenceError> {
        let d = ctx.login_deadline();
        self.client = Some(Client::connect(&self.host, self.port, &d)?);
        Ok(())
    }

    fn get_power_status(&mut self, ctx: &Ctx, plug: &str) -> Result<PowerState, FenceError> {
        let s = self.node_state(ctx, plug)?;
        tracing::debug!("node {plug}: {}", s.line(true));
        Ok(if s.feed {
            PowerState::On
        } else {
            PowerState::Off
        })
    }

    fn set_power_status(
        &mut self,
        ctx: &Ctx,
        plug: &str,
        state: PowerState,
    ) -> Result<(), FenceError> {
        match state {
            PowerState::Off => self.command(ctx, Self::node_number(plug)?, NodeCommand::Fence),
            PowerState::On => self.press_power(ctx, plug),
        }
    }

    /// A node that is off already is still fenced: `NN:1` holds its power switch and locks its
    /// panel, so that a press of its power button cannot boot it (as the 1.1.6 agent, which
    /// always sent `NN:1`). Confirmed by reading the switch held and the feed off.
    fn keep_off(&mut self, ctx: &Ctx, plug: &str) -> Result<(), FenceError> {
        let n = Self::node_number(plug)?;
        self.command(ctx, n, NodeCommand::Fence)?;
        let s = self.node_state(ctx, plug)?;
        if !s.power || s.feed {
            return Err(FenceError::new(format!(
                "off: node {plug} not held off after '{}' ({})",
                Request::Node(n, NodeCommand::Fence),
                s.line(true)
            )));
        }
        Ok(())
    }

    fn list(&mut self, ctx: &Ctx) -> Result<Vec<(String, String)>, FenceError> {
        let st = self.states(ctx)?;
        Ok((1..=st.node_count())
            .filter(|n| !self.unused.contains(n))
            .map(|n| {
                (
                    format!("{n:02}"),
                    self.aliases.get(&n).cloned().unwrap_or_default(),
                )
            })
            .collect())
    }

    fn list_status(&mut self, ctx: &Ctx) -> Result<Vec<(String, String, PowerState)>, FenceError> {
        let st = self.states(ctx)?;
        Ok(st
            .nodes
            .iter()
            .filter(|s| !self.unused.contains(&s.node))
            .map(|s| {
                (
                    format!("{:02}", s.node),
                    self.aliases.get(&s.node).cloned().unwrap_or_default(),
                    if s.feed {
                        PowerState::On
                    } else {
                        PowerState::Off
                    },
                )
            })
            .collect())
    }

    fn disconnect(&mut self, _ctx: &Ctx) {
        self.client = None;
    }
}

fn main() {
    rustha_fence::main(NodeAssassin::default());
}
