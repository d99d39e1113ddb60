// SPDX-License-Identifier: GPL-2.0-or-later
//! The two agents on the OCF runtime: [`LvmAgent`] turns the typed parameters into a
//! [`Config`](crate::config::Config) and the runtime's context into a [`Ctx`], and calls the
//! actions of [`crate::agent`].

use crate::agent::{self, Ctx};
use crate::config::Flavour;
use crate::params::Params;
use rustha_ocf::{Context, Description, ResourceAgent, Result, State};

pub struct LvmAgent {
    pub description: &'static Description,
    pub flavour: Flavour,
}

pub static LVM_ACTIVATE: LvmAgent = LvmAgent {
    description: &crate::description::LVM_ACTIVATE,
    flavour: Flavour::LvmActivate,
};

pub static LVM: LvmAgent = LvmAgent {
    description: &crate::description::LVM,
    flavour: Flavour::Legacy,
};

impl LvmAgent {
    fn ctx<'a>(&self, ctx: &'a Context) -> Ctx<'a> {
        let file = |ext: &str| {
            ctx.state_dir().join(format!(
                "{}-{}.{ext}",
                self.description.name,
                ctx.instance.replace('/', "_")
            ))
        };
        Ctx {
            deadline: &ctx.deadline,
            probe: ctx.is_probe(),
            check_level: ctx.check_level,
            state_file: file("state"),
            check_file: file("checked"),
            interval: ctx.meta.interval,
            clone: ctx.meta.is_clone(),
        }
    }

    fn config(&self, p: &Params, ctx: &Context) -> crate::config::Config {
        let given = ctx.env("OCF_RESKEY_vg_access_mode").unwrap_or("");
        p.config(self.flavour, given)
    }
}

impl ResourceAgent for LvmAgent {
    type Params = Params;

    fn description(&self) -> &'static Description {
        self.description
    }

    fn start(&self, p: &Params, ctx: &Context) -> Result<()> {
        agent::start(&self.config(p, ctx), &self.ctx(ctx))
    }

    fn stop(&self, p: &Params, ctx: &Context) -> Result<()> {
        agent::stop(&self.config(p, ctx), &self.ctx(ctx))
    }

    fn monitor(&self, p: &Params, ctx: &Context) -> Result<State> {
        agent::monitor(&self.config(p, ctx), &self.ctx(ctx)).map(|s| match s {
            agent::State::Running => State::Running,
            agent::State::Stopped => State::Stopped,
        })
    }

    fn validate(&self, p: &Params, ctx: &Context) -> Result<()> {
        agent::validate(&self.config(p, ctx), &self.ctx(ctx)).map(|_| ())
    }
}
