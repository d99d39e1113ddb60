// SPDX-License-Identifier: GPL-2.0-or-later
//! Small text helpers every output format needs.

/// Escape text for XML content and attribute values (meta-data of resource and fence agents).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids the other control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            _ => out.push(c),
        }
    }
    out
}

/// The longest part of a user's value that messages echo: a reason names the bad value, but a
/// 1 MB value must not become a 1 MB log line.
pub const SHOWN_MAX: usize = 40;

/// A value as messages show it: control characters escaped (`\n`, `\x1b`, ...; a newline in a
/// value cannot forge a second log line), at most [`SHOWN_MAX`] characters of it, and the
/// length when cut (`abc…(+99990 bytes)`).
pub fn shown(value: &str) -> String {
    shown_max(value, SHOWN_MAX)
}

/// [`shown`] with an explicit limit (characters of the value kept).
pub fn shown_max(value: &str, max: usize) -> String {
    let mut out = String::new();
    for (kept, (i, c)) in value.char_indices().enumerate() {
        if kept == max {
            out.push_str(&format!("\u{2026}(+{} bytes)", value.len() - i));
            return out;
        }
        out.extend(escape_char(c));
    }
    out
}

/// Control characters of one line of text escaped, everything else kept (no length limit).
pub fn escape_control(text: &str) -> String {
    text.chars().flat_map(escape_char).collect()
}

fn escape_char(c: char) -> Vec<char> {
    match c {
        '\n' => vec!['\\', 'n'],
        '\r' => vec!['\\', 'r'],
        '\t' => vec!['\\', 't'],
        c if c.is_control() => format!("\\x{:02x}", c as u32).chars().collect(),
        c => vec![c],
    }
}

/// `text` cut to at most `max` bytes on a character boundary.
pub fn truncate_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }

    #[test]
    fn shown_values_are_escaped_and_bounded() {
        assert_eq!(shown("abc"), "abc");
        assert_eq!(shown("a\nERROR: forged"), "a\\nERROR: forged");
        assert_eq!(shown("\x1b[31m"), "\\x1b[31m");
        let big = "x".repeat(1_000_000);
        let s = shown(&big);
        assert!(s.len() < 80, "{s}");
        assert!(s.ends_with("(+999960 bytes)"), "{s}");
        assert_eq!(shown_max("h\u{e9}llo", 2), "h\u{e9}\u{2026}(+3 bytes)");
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate_bytes("abc", 5), "abc");
        assert_eq!(truncate_bytes("h\u{e9}", 2), "h");
        assert_eq!(truncate_bytes("abcdef", 3), "abc");
    }
}
