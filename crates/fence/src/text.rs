//! How values and durations appear in messages: bounded, escaped, readable.

use std::fmt::Write as _;
use std::time::Duration;

/// The most characters of a value a message shows.
pub const SHOWN_MAX: usize = 64;

/// The most bytes of one error line (the full text goes to the debug log).
pub const LINE_MAX: usize = 512;

/// A value as it appears inside a message: control characters escaped (`\n`, `\r`, `\t`, `\xNN`,
/// `\u{NNNN}`) so that a value cannot forge a second log line, and at most [`SHOWN_MAX`]
/// characters (`...` and the full length after a cut). Never use it for a secret: a value that
/// may contain one is not shown at all.
pub fn shown(value: &str) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == SHOWN_MAX {
            let _ = write!(out, "...({} bytes)", value.len());
            break;
        }
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        // C1 controls, line and paragraph separators: also line breaks to some readers.
        c if ('\u{80}'..='\u{9f}').contains(&c) || matches!(c, '\u{2028}' | '\u{2029}') => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// One line for stderr or a log: control characters escaped, at most [`LINE_MAX`] bytes (cut
/// on a character boundary, `...` appended).
pub fn one_line(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(LINE_MAX + 8));
    for c in msg.chars() {
        let before = out.len();
        push_escaped(&mut out, c);
        if out.len() > LINE_MAX {
            out.truncate(before);
            out.push_str("...");
            break;
        }
    }
    out
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
    fn values_are_bounded_and_escaped() {
        assert_eq!(shown("02"), "02");
        assert_eq!(shown("a\nERROR: forged"), "a\\nERROR: forged");
        assert_eq!(
            shown("\r\t\x01\x7f\u{85}\u{2028}"),
            "\\r\\t\\x01\\x7f\\u{0085}\\u{2028}"
        );
        let big = "x".repeat(1 << 20);
        let s = shown(&big);
        assert!(s.len() < 100, "{}", s.len());
        assert!(s.ends_with("...(1048576 bytes)"), "{s}");
        assert_eq!(shown(&"é".repeat(SHOWN_MAX)), "é".repeat(SHOWN_MAX));
    }

    #[test]
    fn lines_are_bounded_and_single() {
        let l = one_line(&format!("bad\nsecond {}", "y".repeat(10_000)));
        assert!(!l.contains('\n'));
        assert!(l.len() <= LINE_MAX + 3);
        assert!(l.starts_with("bad\\nsecond yyy") && l.ends_with("..."));
        assert_eq!(one_line("short"), "short");
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
