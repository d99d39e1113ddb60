// SPDX-License-Identifier: GPL-2.0-or-later
//! Shared by the integration tests.

/// Whether the tests run as root (the real user id in /proc/self/status).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}
