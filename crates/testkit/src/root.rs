// SPDX-License-Identifier: GPL-2.0-or-later
//! Root-only tests: `#[ignore = "needs root"]` on the test, [`require_root`] as its first line.
//! `cargo test` then reports such a test as ignored (never as passed) unless it is asked for with
//! `--ignored`/`--include-ignored`, which `tools/test.sh` does as root.

/// Whether the effective user is root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Fails the test when not root: it was asked for explicitly (`--ignored`), so not running it
/// is a failure, not a pass. `what` says what needs root (namespaces, loop devices, …).
#[track_caller]
pub fn require_root(what: &str) {
    assert!(
        is_root(),
        "this test needs root ({what}); run it as root: tools/test.sh, or \
         `cargo test -- --ignored` as root"
    );
}
