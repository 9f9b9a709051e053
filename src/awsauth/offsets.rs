//! Maps byte offsets inside a decoded string scalar back to the outer file.
//!
//! `mapRoles: |` holds a YAML document as a string. Spans found by parsing that
//! string are offsets into the *decoded* value; a finding must be shown at the outer
//! file's line and column. A [`ScalarMap`] decodes the scalar's source text again
//! while recording where each decoded byte came from, and is used only when that
//! decoding reproduces the parser's value exactly. Otherwise every inner span maps
//! to the whole scalar: never wrong, only less precise.
//!
//! - literal (`|`, `|-`, `|+`, `|2`, CRLF): exact;
//! - folded (`>`): exact for text; a folded line break maps to a break it replaced;
//! - double- and single-quoted: exact through escapes (`\n` maps to its two bytes)
//!   and line folding;
//! - plain multi-line scalars and anything unexpected: the whole scalar.

use crate::source::ByteRange;

/// A run of decoded bytes and the source bytes they came from. Either both lengths
/// are equal (text copied byte for byte) or the run is one decoded character made
/// by an escape or a line break.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Segment {
    val: usize,
    val_len: usize,
    src: usize,
    src_len: usize,
}

/// How decoded offsets of one scalar map to the outer text.
#[derive(Clone, Debug)]
pub struct ScalarMap {
    /// The scalar in the outer text; the fallback for anything not mapped exactly.
    whole: ByteRange,
    /// Sorted by `val` and contiguous from 0; empty when the mapping is not exact.
    segments: Vec<Segment>,
}

impl ScalarMap {
    /// The map for the scalar at `span` of `outer` whose decoded value is `value`.
    pub fn new(outer: &str, span: ByteRange, value: &str) -> ScalarMap {
        let segments = if value.is_empty() {
            Vec::new()
        } else {
            decode(outer, &span, value).unwrap_or_default()
        };
        ScalarMap {
            whole: span,
            segments,
        }
    }

    /// Whether inner spans map exactly.
    pub fn is_exact(&self) -> bool {
        !self.segments.is_empty()
    }

    /// The whole scalar in the outer text.
    pub fn whole(&self) -> ByteRange {
        self.whole.clone()
    }

    /// The outer range of the decoded range `inner`.
    pub fn map(&self, inner: ByteRange) -> ByteRange {
        if self.segments.is_empty() {
            return self.whole.clone();
        }
        let start = self.start_of(inner.start);
        let end = if inner.end > inner.start {
            self.end_of(inner.end)
        } else {
            start
        };
        match (start, end) {
            (Some(s), Some(e)) if s <= e => s..e,
            _ => self.whole.clone(),
        }
    }

    fn total(&self) -> usize {
        self.segments.last().map_or(0, |s| s.val + s.val_len)
    }

    /// The segment holding decoded byte `at`.
    fn segment(&self, at: usize) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.val + s.val_len <= at);
        self.segments.get(i)
    }

    /// The first source byte of what decodes to byte `at`.
    fn start_of(&self, at: usize) -> Option<usize> {
        if at == self.total() {
            return self.segments.last().map(|s| s.src + s.src_len);
        }
        let seg = self.segment(at)?;
        Some(if seg.val_len == seg.src_len {
            seg.src + (at - seg.val)
        } else {
            seg.src
        })
    }

    /// The source byte after what decodes to byte `at - 1`.
    fn end_of(&self, at: usize) -> Option<usize> {
        let last = at.checked_sub(1)?;
        if at > self.total() {
            return None;
        }
        let seg = self.segment(last)?;
        Some(if seg.val_len == seg.src_len {
            seg.src + (last - seg.val) + 1
        } else {
            seg.src + seg.src_len
        })
    }
}

/// A scalar decoded from its source, with where each decoded byte came from.
#[derive(Default)]
struct Decoded {
    text: String,
    segments: Vec<Segment>,
}

impl Decoded {
    /// Appends source text copied verbatim from offset `src`.
    fn copy(&mut self, s: &str, src: usize) {
        self.text.push_str(s);
        self.record(s.len(), src, s.len());
    }

    /// Appends one character made by the source bytes `src` (an escape, a break).
    fn produce(&mut self, c: char, src: ByteRange) {
        self.text.push(c);
        self.record(c.len_utf8(), src.start, src.end.saturating_sub(src.start));
    }

    /// Records that the last `val_len` decoded bytes came from `src..src + src_len`;
    /// runs mapped byte for byte merge with an adjacent run.
    fn record(&mut self, val_len: usize, src: usize, src_len: usize) {
        if val_len == 0 {
            return;
        }
        let val = self.text.len() - val_len;
        if let Some(last) = self.segments.last_mut() {
            if val_len == src_len && last.val_len == last.src_len && last.src + last.src_len == src
            {
                last.val_len += val_len;
                last.src_len += src_len;
                return;
            }
        }
        self.segments.push(Segment {
            val,
            val_len,
            src,
            src_len,
        });
    }

    /// Keeps the first `len` decoded bytes (for chomping).
    fn truncate(&mut self, len: usize) -> bool {
        if !self.text.is_char_boundary(len) {
            return false;
        }
        self.text.truncate(len);
        self.segments.retain(|s| s.val < len);
        if let Some(last) = self.segments.last_mut() {
            if last.val + last.val_len > len {
                if last.val_len != last.src_len {
                    return false;
                }
                let cut = last.val + last.val_len - len;
                last.val_len -= cut;
                last.src_len -= cut;
            }
        }
        true
    }
}

/// The exact segments for the scalar at `span`, if decoding it gives `value`.
fn decode(outer: &str, span: &ByteRange, value: &str) -> Option<Vec<Segment>> {
    let decoded = match outer.as_bytes().get(span.start)? {
        b'"' => quoted(outer, span.start, true)?,
        b'\'' => quoted(outer, span.start, false)?,
        _ => block(outer, span.start, value)?,
    };
    (decoded.text == value).then_some(decoded.segments)
}

/// One source line: its start, the end of its content (before `\r\n` or `\n`) and
/// its end (after the break).
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

fn line_at(text: &str, start: usize) -> Line {
    let bytes = text.as_bytes();
    match bytes[start..].iter().position(|&b| b == b'\n') {
        Some(i) => {
            let nl = start + i;
            let content_end = if nl > start && bytes[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            Line {
                start,
                content_end,
                end: nl + 1,
            }
        }
        None => Line {
            start,
            content_end: bytes.len(),
            end: bytes.len(),
        },
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text.as_bytes()[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| b == b' ' || b == b'\t')
}

fn leading_spaces(s: &str) -> usize {
    s.bytes().take_while(|&b| b == b' ').count()
}

/// The block scalar indicator (`|` or `>`) of a header line, if it is one.
fn header_style(line: &str) -> Option<u8> {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'|' && b != b'>' {
            continue;
        }
        if i > 0 && !matches!(bytes[i - 1], b' ' | b'\t') {
            continue;
        }
        let rest = &line[i + 1..];
        let indicators = rest
            .bytes()
            .take_while(|c| matches!(c, b'1'..=b'9' | b'+' | b'-'))
            .count();
        let after = &rest[indicators..];
        let trimmed = after.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len()) {
            return Some(b);
        }
    }
    None
}

/// A literal or folded block scalar whose span starts at `start`: at its indicator,
/// or (as saphyr reports it) at its first content character.
fn block(outer: &str, start: usize, value: &str) -> Option<Decoded> {
    // The header is the last non-blank line before the first content line, or the
    // span's own line when the span starts at the indicator.
    let mut header = line_at(outer, line_start(outer, start));
    let own = &outer[header.start..header.content_end];
    let at_indicator = matches!(outer.as_bytes().get(start), Some(b'|' | b'>'));
    if !at_indicator || header_style(own).is_none() {
        loop {
            if header.start == 0 {
                return None;
            }
            header = line_at(outer, line_start(outer, header.start - 1));
            let text = &outer[header.start..header.content_end];
            if !is_blank(text) {
                break;
            }
        }
    }
    let style = header_style(&outer[header.start..header.content_end])?;

    // Content indentation: spaces before the first text line in the source, less the
    // spaces the value keeps there (an explicit indicator such as `|2`).
    let value_lead = value
        .split('\n')
        .find(|l| !is_blank(l))
        .map(leading_spaces)?;
    let mut first_text = None;
    let mut at = header.end;
    while at < outer.len() {
        let line = line_at(outer, at);
        if !is_blank(&outer[line.start..line.content_end]) {
            first_text = Some(line);
            break;
        }
        at = line.end;
    }
    let first_text = first_text?;
    let indent =
        leading_spaces(&outer[first_text.start..first_text.content_end]).checked_sub(value_lead)?;
    if indent == 0 {
        return None;
    }

    let mut d = block_lines(outer, header.end, indent, style == b'>');
    // Chomping: the decoder keeps every trailing break; the value has as many as its
    // indicator keeps.
    let extra_breaks =
        d.text.len() > value.len() && d.text.as_bytes()[value.len()..].iter().all(|&b| b == b'\n');
    if extra_breaks && !d.truncate(value.len()) {
        return None;
    }
    Some(d)
}

/// Decodes the lines of a block scalar from `from` with content indentation
/// `indent`, keeping every trailing line break.
fn block_lines(outer: &str, from: usize, indent: usize, folded: bool) -> Decoded {
    let mut d = Decoded::default();
    // Breaks seen since the last text line.
    let mut pending: Vec<ByteRange> = Vec::new();
    let mut seen_text = false;
    let mut prev_spaced = false;
    let mut at = from;
    while at < outer.len() {
        let line = line_at(outer, at);
        at = line.end;
        let text = &outer[line.start..line.content_end];
        let lead = leading_spaces(text);
        if lead < indent && !is_blank(text) {
            break; // less indented: the scalar has ended
        }
        // Either `indent` spaces or a blank (ASCII) line: a character boundary.
        let content_start = line.start + indent.min(text.len());
        let content = &outer[content_start..line.content_end];
        let empty = content.is_empty() || (lead < indent && is_blank(text));
        if empty {
            if line.content_end < line.end {
                pending.push(line.content_end..line.end);
            }
            continue;
        }
        let spaced = content.starts_with([' ', '\t']);
        if seen_text && folded && !spaced && !prev_spaced {
            // A single break between two text lines folds to a space; with blank
            // lines after it, the first break is dropped and the others stay.
            let mut breaks = pending.drain(..);
            if let Some(first) = breaks.next() {
                let rest: Vec<ByteRange> = breaks.collect();
                if rest.is_empty() {
                    d.produce(' ', first);
                } else {
                    for br in rest {
                        d.produce('\n', br);
                    }
                }
            }
        } else {
            for br in pending.drain(..) {
                d.produce('\n', br);
            }
        }
        d.copy(content, content_start);
        seen_text = true;
        prev_spaced = spaced;
        if line.content_end < line.end {
            pending.push(line.content_end..line.end);
        }
    }
    for br in pending {
        d.produce('\n', br);
    }
    d
}

/// A double-quoted (`double`) or single-quoted scalar whose opening quote is at
/// `open`.
fn quoted(outer: &str, open: usize, double: bool) -> Option<Decoded> {
    let bytes = outer.as_bytes();
    let quote = if double { b'"' } else { b'\'' };
    let mut d = Decoded::default();
    let mut i = open + 1;
    // Start of text not yet copied; white space is held back until we know it is
    // not trailing white space before a line break.
    let mut run = i;
    loop {
        let b = *bytes.get(i)?;
        match b {
            _ if b == quote && !double && bytes.get(i + 1) == Some(&b'\'') => {
                d.copy(&outer[run..i], run);
                d.produce('\'', i..i + 2);
                i += 2;
                run = i;
            }
            _ if b == quote => {
                d.copy(&outer[run..i], run);
                return Some(d);
            }
            b'\\' if double => {
                d.copy(&outer[run..i], run);
                let esc = *bytes.get(i + 1)?;
                if esc == b'\n' || (esc == b'\r' && bytes.get(i + 2) == Some(&b'\n')) {
                    // An escaped line break joins the lines with nothing between.
                    i += if esc == b'\r' { 3 } else { 2 };
                    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                        i += 1;
                    }
                    run = i;
                    continue;
                }
                let (c, len) = escape(outer, i + 1)?;
                d.produce(c, i..i + 1 + len);
                i += 1 + len;
                run = i;
            }
            b'\n' | b'\r' => {
                // Trailing white space before the break is not part of the value.
                let mut text_end = i;
                while text_end > run && matches!(bytes[text_end - 1], b' ' | b'\t') {
                    text_end -= 1;
                }
                d.copy(&outer[run..text_end], run);
                let first = line_at(outer, line_start(outer, i));
                let mut breaks = Vec::new();
                breaks.push(first.content_end..first.end);
                let mut next = first.end;
                loop {
                    if next >= outer.len() {
                        return None;
                    }
                    let line = line_at(outer, next);
                    if is_blank(&outer[line.start..line.content_end]) && line.content_end < line.end
                    {
                        breaks.push(line.content_end..line.end);
                        next = line.end;
                    } else {
                        break;
                    }
                }
                if breaks.len() == 1 {
                    d.produce(' ', breaks[0].clone());
                } else {
                    for br in breaks.into_iter().skip(1) {
                        d.produce('\n', br);
                    }
                }
                i = next;
                while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
                run = i;
            }
            _ => i += 1,
        }
    }
}

/// The character an escape after a backslash stands for, and the escape's length.
fn escape(outer: &str, at: usize) -> Option<(char, usize)> {
    let b = *outer.as_bytes().get(at)?;
    let simple = match b {
        b'0' => Some('\0'),
        b'a' => Some('\x07'),
        b'b' => Some('\x08'),
        b't' | b'\t' => Some('\t'),
        b'n' => Some('\n'),
        b'v' => Some('\x0b'),
        b'f' => Some('\x0c'),
        b'r' => Some('\r'),
        b'e' => Some('\x1b'),
        b' ' => Some(' '),
        b'"' => Some('"'),
        b'/' => Some('/'),
        b'\\' => Some('\\'),
        b'N' => Some('\u{85}'),
        b'_' => Some('\u{a0}'),
        b'L' => Some('\u{2028}'),
        b'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((c, 1));
    }
    let digits = match b {
        b'x' => 2,
        b'u' => 4,
        b'U' => 8,
        _ => return None,
    };
    let hex = outer.get(at + 1..at + 1 + digits)?;
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, 1 + digits))
}

#[cfg(test)]
mod tests;
