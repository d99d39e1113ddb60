// SPDX-License-Identifier: GPL-2.0-or-later
//! How values and durations appear in fence messages. Values: rustha_support's `text::shown`
//! (escaped, bounded), shared with the OCF runtime; here the line cap and durations.

use std::time::Duration;

pub use rustha_support::text::shown;

/// The most bytes of one error line (the full text goes to the debug log).
pub const LINE_MAX: usize = 512;

/// One line for stderr or a log: control characters escaped (a value cannot forge a second log
/// line), at most [`LINE_MAX`] bytes (cut on a character boundary, `...` appended).
pub fn one_line(msg: &str) -> String {
    let escaped = rustha_support::text::escape_control(msg);
    if escaped.len() <= LINE_MAX {
        return escaped;
    }
    format!(
        "{}...",
        rustha_support::text::truncate_bytes(&escaped, LINE_MAX)
    )
}

/// A duration as a user writes it in the timing options: `0s`, `20s`, `0.5s`, `1.25s`.
pub fn secs(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        let s = format!("{}.{:03}", ms / 1000, ms % 1000);
        format!("{}s", s.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_bounded_and_single() {
        let l = one_line(&format!("bad\nsecond {}", "y".repeat(10_000)));
        assert!(!l.contains('\n'));
        assert!(l.len() <= LINE_MAX + 3);
        assert!(l.starts_with("bad\\nsecond yyy") && l.ends_with("..."));
        assert_eq!(one_line("short"), "short");
        let s = shown(&"x".repeat(1 << 20));
        assert!(s.len() < 100, "{}", s.len());
    }

    #[test]
    fn durations_as_written() {
        assert_eq!(secs(Duration::ZERO), "0s");
        assert_eq!(secs(Duration::from_secs(20)), "20s");
        assert_eq!(secs(Duration::from_millis(500)), "0.5s");
        assert_eq!(secs(Duration::from_millis(1250)), "1.25s");
        assert_eq!(secs(Duration::from_micros(1)), "0s");
    }
}
