//! Text that came from the input, made safe to print on a terminal or in a CI log.
//!
//! A manifest can hold any character in a name or value: an escape sequence that
//! retitles the terminal or moves the cursor, a carriage return that overwrites
//! what a line showed, a line feed that starts a line of its own (which GitHub
//! Actions reads as a workflow command when it begins with `::`), or a Unicode
//! direction override that reorders what the reader sees. Before such text reaches
//! a terminal or a log it is shown as visible escapes: `\n`, `\r`, `\u{1b}`.
//! JSON and SARIF need none of this: their serializer escapes control characters.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls (tab
/// excepted), DEL, and the Unicode characters that reorder or hide text.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c,
            '\u{200B}'..='\u{200F}'       // zero-width and direction marks
            | '\u{2028}' | '\u{2029}'     // line and paragraph separators
            | '\u{202A}'..='\u{202E}'     // direction embeddings and overrides
            | '\u{2066}'..='\u{2069}'     // direction isolates
            | '\u{FEFF}')
}

/// `text` on one line: every unsafe character, line feeds included, as an escape.
pub fn line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// `text` keeping its line feeds (help text of several lines); every other unsafe
/// character as an escape.
pub fn block(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_unsafe(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether a file's text can be shown as a source snippet: it holds no unsafe
/// character but line feeds and the carriage returns of CRLF line ends. A binary
/// file, or one with raw control characters, is not shown.
pub fn showable(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    // Byte by byte where the text is ASCII (most of it), character by character elsewhere.
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            match b {
                b'\n' | b'\t' => {}
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
                // The ASCII control characters.
                0x00..=0x1f | 0x7f => return false,
                _ => {}
            }
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            return false;
        };
        match c {
            // A byte order mark opens many files and is invisible anyway.
            '\u{FEFF}' => {}
            c if is_unsafe(c) || c == '\u{FFFD}' => return false,
            _ => {}
        }
        i += c.len_utf8();
    }
    true
}

/// The note that stands for the source snippet of a file [`showable`] refuses.
pub const NOT_SHOWN: &str =
    "the source is not shown: the file holds control characters or is not text";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        let hostile = "c\u{1b}]0;pwned\u{7}\n::error file=x.yaml,line=1::fake";
        assert_eq!(
            line(hostile),
            "c\\u{1b}]0;pwned\\u{7}\\n::error file=x.yaml,line=1::fake"
        );
        assert_eq!(block("a\nb\r\u{202e}c"), "a\nb\\r\\u{202e}c");
        assert_eq!(line("tab\tand é"), "tab\tand é");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn files_with_control_characters_are_not_shown() {
        assert!(showable("kind: Pod\r\nmetadata: {}\n\u{feff}"));
        assert!(!showable("kind: Pod\u{1b}[2J\n"));
        assert!(!showable("\u{0}\u{1}ELF"));
        assert!(!showable("name: x\rhidden\n"));
        assert!(!showable("bad byte \u{FFFD}\n"));
        assert!(showable("tab\there, é, 日本\r\n"));
        assert!(!showable("é\u{202E}x"));
        assert!(!showable("é\u{85}"));
        assert!(!showable("x\r"));
        assert!(!showable("x\u{7f}"));
    }
}
