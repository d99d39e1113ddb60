//! The description of every rustha resource agent: one file per agent.

pub mod filesystem;
pub mod ipaddr2;

/// Every agent, for tools that render all meta-data or man pages (packaging, docs).
pub fn all() -> Vec<&'static crate::Agent> {
    let mut v = vec![&filesystem::FILESYSTEM];
    v.extend(ipaddr2::AGENTS);
    v
}
