// SPDX-License-Identifier: GPL-2.0-or-later
//! heartbeat v1 ("haresources") invocation: `AGENT positional... ACTION`.
//!
//! The old heartbeat wrappers called resource scripts with the resource's arguments before the
//! action, e.g. `IPaddr2 10.0.0.5/24/eth0/10.0.0.255 start` or
//! `Filesystem /dev/sda3 /ogfs ogfs hostdata=x start`. An agent maps its positional
//! arguments to its parameters ([`crate::ResourceAgent::positional`], or a [`LegacyMapper`]
//! for [`crate::run_handler`]). `AGENT ACTION extra...` is the action with its extra words
//! ignored, as the stock agents do.

use crate::Result;

/// Maps positional arguments to `(parameter, value)` pairs, or fails with a reason.
pub type LegacyMapper = fn(&[String]) -> Result<Vec<(&'static str, String)>>;
