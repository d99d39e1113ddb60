// SPDX-License-Identifier: GPL-2.0-or-later
//! The promotion score of a promotable clone on this node (what `crm_master` did): set with
//! `crm_attribute --promotion`, transient (lifetime `reboot`: gone when the node's cluster
//! stack restarts), run directly (no shell) and bounded by the operation's deadline.

use crate::env::Context;
use crate::{Error, Result};
use rustha_support::Command;

/// The program; Pacemaker puts its tools on the agents' PATH.
const CRM_ATTRIBUTE: &str = "crm_attribute";

fn run(ctx: &Context, score: Option<i64>, what: &str) -> Result<()> {
    let argv = argv(ctx, score);
    let cmd = Command::new(&argv[0]).args(&argv[1..]);
    let out = rustha_support::run(&cmd, &ctx.deadline).map_err(|e| {
        Error::generic(format!(
            "cannot {what} the promotion score of {}: {e}",
            ctx.resource_name()
        ))
    })?;
    if !out.success() {
        return Err(Error::generic(format!(
            "cannot {what} the promotion score of {}: crm_attribute exit {}: {}",
            ctx.resource_name(),
            out.code(),
            out.stderr_last_line()
        )));
    }
    Ok(())
}

/// Set this node's promotion score for the resource (higher is preferred; 0 or more can be
/// promoted; Pacemaker's INFINITY is 1000000).
pub fn set_score(ctx: &Context, score: i64) -> Result<()> {
    tracing::debug!("promotion score of {} := {score}", ctx.resource_name());
    run(ctx, Some(score), "set")
}

/// Remove this node's promotion score (the instance must not be promoted here).
pub fn remove_score(ctx: &Context) -> Result<()> {
    tracing::debug!("promotion score of {} removed", ctx.resource_name());
    run(ctx, None, "remove")
}

/// The command line of `set_score` (`Some`) or `remove_score` (`None`).
pub fn argv(ctx: &Context, score: Option<i64>) -> Vec<String> {
    let mut v = vec![
        CRM_ATTRIBUTE.to_string(),
        format!("--promotion={}", ctx.resource_name()),
        "--lifetime=reboot".to_string(),
    ];
    v.push(match score {
        Some(s) => format!("--update={s}"),
        None => "--delete".to_string(),
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{Action, Environment};
    use crate::model::OcfVersion;
    use std::time::Duration;

    static AGENT: crate::Agent = crate::Agent {
        name: "drbd",
        version: "1",
        shortdesc: "",
        longdesc: "",
        parameters: &[],
        actions: &[],
        see_also: &[],
    };

    #[test]
    fn the_clone_suffix_is_not_part_of_the_resource_name() {
        let env = Environment::read(vec![("OCF_RESOURCE_INSTANCE".into(), "drbd0:1".into())]);
        let ctx = env.context(
            &AGENT,
            Action::Monitor,
            false,
            OcfVersion::V1_1,
            Duration::from_secs(20),
        );
        assert_eq!(
            argv(&ctx, Some(10)),
            [
                "crm_attribute",
                "--promotion=drbd0",
                "--lifetime=reboot",
                "--update=10"
            ]
        );
        assert_eq!(argv(&ctx, None)[3], "--delete");
    }
}
