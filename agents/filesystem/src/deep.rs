// SPDX-License-Identifier: GPL-2.0-or-later
//! The deep monitors: depth 10 reads the device's first block with O_DIRECT, depth 20 writes,
//! syncs, reads back and removes a status file. Both bounded by the operation's deadline (a
//! dying device or a dead server must not hold the answer).

use crate::blockio::{bounded, write_read_remove, Block};
use crate::mountinfo::Mount;
use crate::params::{Config, Source};
use rustha_ocf::{bail, Error, Result};
use rustha_support::Deadline;
use tracing::warn;

pub(crate) fn read_first_block(p: &Config, m: &Mount, deadline: &Deadline) -> Result<()> {
    if p.source != Source::Block || m.major == 0 {
        warn!("{} is not a block device, monitor 10 is noop", p.device);
        return Ok(());
    }
    let dev = p
        .block_device(deadline)
        .map_err(|e| Error::generic(e.reason))?;
    let what = format!("direct read of the first block of {}", dev.display());
    bounded(deadline, what, move || {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let mut buf = Box::new(Block([0; 4096]));
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECT)
            .open(&dev)
            .and_then(|mut f| f.read(&mut buf.0))
            .map_err(|e| Error::generic(format!("Failed to read device {}: {e}", dev.display())))
            .and_then(|n| match n {
                0 => Err(Error::generic(format!(
                    "Failed to read device {}: it is empty",
                    dev.display()
                ))),
                _ => Ok(()),
            })
    })
}

pub(crate) fn status_file(p: &Config, m: &Mount, deadline: &Deadline) -> Result<()> {
    let shown = p.statusfile_in(&m.mount_point);
    if m.read_only() {
        // The cause first: Pacemaker keeps 128 bytes of a reason.
        bail!(
            ErrGeneric,
            "{} is mounted read-only: failed to write status file {}",
            m.mount_point,
            p.statusfile.display()
        );
    }
    let direct = p.source == Source::Block;
    let content = format!(
        "{}\n",
        std::env::var("OCF_RESOURCE_INSTANCE").unwrap_or_default()
    );
    let what = format!("writing the status file {}", shown.display());
    let (mount, rel) = (m.clone(), p.statusfile.clone());
    bounded(deadline, what, move || {
        write_read_remove(&mount, &rel, content.as_bytes(), direct)
    })
}
