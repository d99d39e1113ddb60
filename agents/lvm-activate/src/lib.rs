// SPDX-License-Identifier: GPL-2.0-or-later
//! ocf:rustha:LVM-activate and ocf:rustha:LVM.
//!
//! The I/O-free parts, each a parser or a decision unit-tested on output recorded in VMs
//! (tests/fixtures): device-mapper names and LVM UUIDs ([`dmname`]), the device-mapper state in
//! sysfs ([`dm`]), LVM's JSON reports ([`report`]), lvm.conf device filters ([`filter`]) and the
//! on-disk PV label and VG metadata ([`pvmeta`]). The monitor is built from these: it runs no
//! LVM command.

pub mod agent;
pub mod config;
pub mod description;
pub mod dm;
pub mod dmname;
pub mod filter;
pub mod json;
pub mod lvm;
pub mod params;
pub mod pvmeta;
pub mod ra;
pub mod recheck;
pub mod report;
pub mod sys;
