//! Placeholder: the IPaddr2 description is being written.

use crate::Agent;

pub static IPADDR2: Agent = Agent {
    name: "IPaddr2",
    version: "1.0",
    shortdesc: "IPaddr2",
    longdesc: "",
    parameters: &[],
    actions: &[],
};
pub static AGENTS: &[&Agent] = &[&IPADDR2];
