// SPDX-License-Identifier: GPL-2.0-or-later
//! fence_ipmilan_rs: a fence agent for machines with an IPMI BMC, a drop-in for fence-agents'
//! `fence_ipmilan` (same options, stdin keys, defaults and exit codes) that speaks IPMI 1.5 and
//! 2.0 (RMCP+) itself instead of running ipmitool.
//!
//! off / on: Chassis Control power down / power up; the runtime then polls Get Chassis Status
//! every `stonith_status_sleep` (default 0.05 s here) until the BMC reports the new state, within
//! `power_timeout`; `power_wait` (default 0 here, 2 s in fence_ipmilan) is the least time between
//! the command and success. reboot: off, on (`method=onoff`), or Chassis Control
//! power cycle (`method=cycle`; power up when the machine is already off). status: 0 on, 2 off,
//! 1 error. diag: Chassis Control pulse diagnostic interrupt.
//!
//! Called as fence_ilo3, fence_ilo4, fence_ilo5 or fence_ipmilanplus (with or without `_rs`),
//! lanplus is the default, as for fence-agents' symlinks (`lanplus=0` switches it off); as
//! fence_idrac or fence_imm, like fence-agents, lan.

mod config;

use config::{agent_config, Personality};
use ipmi_lan::{ChassisControl, Session};
use rustha_fence::text::secs;
use rustha_fence::{opt, AgentInfo, Ctx, ExtraAction, FenceAgent, FenceError, Options, PowerState};
use std::time::{Duration, Instant};

struct Ipmi {
    p: Personality,
    session: Option<Session>,
}

/// An IPMI failure where the agent meets the runtime: every kind is a Fence API failure
/// (exit 1, as fence_ipmilan); the kind says which part to check, in the debug log.
fn fail(e: ipmi_lan::Error) -> FenceError {
    use ipmi_lan::ErrorKind::*;
    let check = match e.kind {
        Config => "the options",
        Network | Timeout | Garbage | Protocol => "ip, ipport and the BMC's LAN channel",
        Auth | Kg => "username, password and hexadecimal_kg",
        Cipher => "lanplus, cipher and auth",
        Privilege => "privlvl and the user's privilege on the BMC",
        Command => "the BMC's answer to the command",
        Random => "this host's random source (getrandom)",
    };
    tracing::debug!("IPMI failure ({:?}): check {check}", e.kind);
    FenceError::new(e.message)
}

impl Ipmi {
    fn session(&mut self) -> Result<&mut Session, FenceError> {
        self.session
            .as_mut()
            .ok_or_else(|| FenceError::new("internal error: no IPMI session"))
    }

    fn status(&mut self, ctx: &Ctx) -> Result<PowerState, FenceError> {
        let d = ctx.shell_deadline();
        let s = self.session()?.chassis_status(&d).map_err(fail)?;
        Ok(if s.power_on {
            PowerState::On
        } else {
            PowerState::Off
        })
    }

    fn control(&mut self, ctx: &Ctx, op: ChassisControl) -> Result<(), FenceError> {
        let d = ctx.shell_deadline();
        tracing::debug!("Chassis Control: {}", op.name());
        self.session()?.chassis_control(op, &d).map_err(fail)
    }
}

impl FenceAgent for Ipmi {
    fn info(&self) -> AgentInfo<Self> {
        AgentInfo {
            name: self.p.name,
            shortdesc: "Fence agent for IPMI",
            longdesc: "fence_ipmilan_rs is an I/O Fencing agent which can be used with machines controlled by IPMI. \
It speaks IPMI 1.5 (lan) and IPMI 2.0 RMCP+ (lanplus) itself, without ipmitool, and accepts every option of \
fence-agents' fence_ipmilan. Power changes are confirmed by polling the BMC's chassis status.",
            vendor_url: "",
            version: env!("CARGO_PKG_VERSION"),
            options: config::options(self.p),
            // Listed in the meta-data, as fence_ipmilan lists it.
            extra_actions: vec![ExtraAction::new(
                "diag",
                false,
                "Pulse a diagnostic interrupt (NMI) to the machine",
                |ipmi: &mut Ipmi, ctx, _| ipmi.control(ctx, ChassisControl::Diag),
            )
            .listed()],
            plugin_config: &[
                opt::IP,
                opt::IPPORT,
                opt::USERNAME,
                opt::PASSWORD,
                config::LANPLUS,
                config::CIPHER,
            ],
            // A BMC powers one machine: like fence_ipmilan, no list action in the meta-data, and
            // `list` prints fencing.py's NOTICE line; monitor queries the chassis status.
            supports_list: false,
            examples: &[
                "pcs stonith create ipmi-node1 fence_ipmilan_rs ip=10.0.0.21 username=admin password_script=/usr/local/sbin/bmc-pw lanplus=1 pcmk_host_list=node1",
                "crm configure primitive ipmi-node1 stonith:fence_ipmilan_rs params ip=10.0.0.21 username=admin password_script=/usr/local/sbin/bmc-pw lanplus=1 pcmk_host_list=node1",
                "fence_ipmilan_rs -a 10.0.0.21 -l admin -S /usr/local/sbin/bmc-pw -P -o status",
            ],
            see_also: &["fence_ipmilan(8)", "ipmitool(1)"],
        }
    }

    fn has_plugs(&self) -> bool {
        false
    }

    fn adjust_options(&self, opts: &mut Options) {
        config::adjust(opts);
    }

    fn validate(&mut self, ctx: &Ctx) -> Result<(), FenceError> {
        agent_config(ctx.opts, ctx.password()).map_err(FenceError::new)?;
        for o in [
            config::IPMITOOL_PATH,
            config::USE_SUDO,
            config::SUDO_PATH,
            config::DISABLE_TIMEOUT,
        ] {
            if ctx.opts.is_set(o) {
                tracing::debug!(
                    "{o} is accepted for compatibility and ignored: no ipmitool is run"
                );
            }
        }
        Ok(())
    }

    fn connect(&mut self, ctx: &Ctx) -> Result<(), FenceError> {
        let c = agent_config(ctx.opts, ctx.password()).map_err(FenceError::new)?;
        let d = ctx.login_deadline();
        let s = Session::open(c.ipmi, &d).map_err(fail)?;
        tracing::debug!(
            "session open with {} ({})",
            s.peer(),
            match (s.suite, s.auth) {
                (Some(suite), _) => format!("lanplus, cipher suite {}", suite.id),
                (None, Some(a)) => format!("lan, auth {}", a.name()),
                _ => "?".into(),
            }
        );
        self.session = Some(s);
        Ok(())
    }

    fn get_power_status(&mut self, ctx: &Ctx, _plug: &str) -> Result<PowerState, FenceError> {
        self.status(ctx)
    }

    /// Chassis Control power down / power up; the runtime confirms the change.
    fn set_power_status(
        &mut self,
        ctx: &Ctx,
        _plug: &str,
        state: PowerState,
    ) -> Result<(), FenceError> {
        self.control(
            ctx,
            match state {
                PowerState::Off => ChassisControl::PowerDown,
                PowerState::On => ChassisControl::PowerUp,
            },
        )
    }

    /// reboot with method=cycle: Chassis Control power cycle, which the BMC completes by itself
    /// (like fence_ipmilan, success once the BMC accepted it); a machine that is off is powered
    /// up instead (a BMC refuses to cycle a machine that is off) and the power-on confirmed with
    /// the runtime's polling.
    fn power_cycle(&mut self, ctx: &Ctx, plug: &str) -> Result<(), FenceError> {
        if self.status(ctx)? == PowerState::Off {
            tracing::info!("the machine is off: powering it up instead of a power cycle");
            let sent = Instant::now();
            self.set_power_status(ctx, plug, PowerState::On)?;
            if !rustha_fence::wait_for(self, ctx, plug, PowerState::On, sent)?.confirmed() {
                return Err(FenceError::new(format!(
                    "Timed out waiting to power ON: the BMC did not report power ON steadily within {} of power up (power_wait + power_timeout)",
                    secs(ctx.opts.seconds(opt::POWER_WAIT) + ctx.opts.seconds(opt::POWER_TIMEOUT))
                )));
            }
            return Ok(());
        }
        self.control(ctx, ChassisControl::PowerCycle)
    }

    fn disconnect(&mut self, ctx: &Ctx) {
        if let Some(mut s) = self.session.take() {
            s.close(&ctx.deadline.capped(Duration::from_secs(1)));
        }
    }
}

fn main() {
    rustha_fence::run::install_panic_hook();
    // The name it was called by picks the personality; any bytes are fine (not UTF-8: the
    // default personality).
    let argv0 = std::env::args_os()
        .next()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    rustha_fence::main(Ipmi {
        p: config::personality(&argv0),
        session: None,
    });
}
