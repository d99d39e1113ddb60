//! Placeholder: the Filesystem description is being written.

use crate::Agent;

pub static FILESYSTEM: Agent = Agent {
    name: "Filesystem",
    version: "1.0",
    shortdesc: "Filesystem",
    longdesc: "",
    parameters: &[],
    actions: &[],
};
