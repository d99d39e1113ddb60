// SPDX-License-Identifier: GPL-2.0-or-later
//! rustha-migrate: heartbeat v1 (`haresources`, `ha.cf`) and cman (`cluster.conf`) configurations
//! to Pacemaker with rustha's agents. The translators ([`heartbeat`], [`cman`]) are pure: they
//! build a [`model::Config`] from text and ask the machine only through [`heartbeat::Host`]; the
//! renderers ([`render`]) print it as `crm configure` text, `pcs` commands or CIB XML.

pub mod cman;
pub mod heartbeat;
pub mod model;
pub mod render;
