// SPDX-License-Identifier: GPL-2.0-or-later
//! Text for man pages: one roff escaper for every agent's page.

/// Escape `text` for use as roff input: backslashes, hyphens (so they stay ASCII minus signs in
/// copy-and-paste), and lines that would start with a control character (`.` or `'`).
/// Leading and trailing white space of every line is removed; blank lines become paragraph
/// breaks (`.PP`), so a long description keeps its paragraphs.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut blank = false;
    for line in text.trim().lines() {
        let line = line.trim();
        if line.is_empty() {
            blank = true;
            continue;
        }
        if blank {
            out.push_str(".PP\n");
            blank = false;
        }
        let escaped = line.replace('\\', "\\e").replace('-', "\\-");
        if escaped.starts_with('.') || escaped.starts_with('\'') {
            out.push_str("\\&");
        }
        out.push_str(&escaped);
        out.push('\n');
    }
    out
}

/// [`escape`] for text that must stay on one line (a `.TH` or `.SH NAME` argument).
pub fn escape_line(text: &str) -> String {
    escape(&text.replace(['\n', '\r'], " "))
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_requests_backslashes_and_hyphens() {
        assert_eq!(escape(".start here"), "\\&.start here\n");
        assert_eq!(escape("'quoted"), "\\&'quoted\n");
        assert_eq!(escape("a\\b -x"), "a\\eb \\-x\n");
        assert_eq!(escape("one\n\n two \n"), "one\n.PP\ntwo\n");
        assert_eq!(escape_line("a\nb"), "a b");
    }
}
