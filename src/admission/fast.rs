//! An AdmissionReview body read straight into regorus values, without serde.
//!
//! This is the common case made cheap: a well-formed body whose strings, numbers
//! and nesting hold no surprise. Anything else (a syntax error, a number this
//! reader does not decide itself and serde_json refuses, a lone surrogate escape,
//! deep nesting, a repeated envelope field, an `apiVersion` or `kind` that is not a
//! string) makes [`envelope`] give up, and the body is read again by serde_json
//! ([`super::decode`]), whose values and errors (with line and column) stay the
//! reference. What it gives equals serde_json's reading, value for value: a test
//! holds the two together on generated bodies.
//!
//! Objects and lists are gathered on two stacks shared by the whole body and moved
//! out into storage of their exact size, so no vector grows while a body is read;
//! strings without escapes are taken as slices of the body; object keys, and the
//! string values requests carry over and over, are shared values where they are
//! known ([`super::interned`]). Each key's first eight bytes are kept beside it as a
//! number, so that an object's keys are put in order mostly by comparing numbers.

use std::borrow::Cow;
use std::cmp::Ordering;

use regorus::Value;

use super::interned::{self, prefix_at, KEYS, STRINGS};
use crate::facts::keys::{bytes_cmp, same_bytes};

/// Nesting this reader takes on; deeper bodies are left to serde_json (which
/// bounds nesting at 128 and says so).
const MAX_DEPTH: usize = 100;

/// The top-level fields of an AdmissionReview, each `None` when absent.
pub(super) struct Envelope {
    pub api_version: Option<Value>,
    pub kind: Option<Value>,
    pub request: Option<Value>,
}

/// Reads `text`, a whole AdmissionReview; `None` when it is not the common case
/// (see the module's documentation), which serde_json then reads.
pub(super) fn envelope(text: &str) -> Option<Envelope> {
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        entries: Vec::with_capacity(64),
        prefixes: Vec::with_capacity(64),
        items: Vec::with_capacity(32),
        depth: 0,
    };
    let mut env = Envelope {
        api_version: None,
        kind: None,
        request: None,
    };
    r.ws();
    r.eat(b'{')?;
    r.ws();
    if r.peek()? == b'}' {
        r.pos += 1;
    } else {
        loop {
            r.ws();
            r.eat(b'"')?;
            let key = r.string()?;
            r.ws();
            r.eat(b':')?;
            r.ws();
            let value = r.value()?;
            let slot = match key.as_ref() {
                "apiVersion" => &mut env.api_version,
                "kind" => &mut env.kind,
                "request" => &mut env.request,
                _ => {
                    r.ws();
                    match r.next()? {
                        b',' => continue,
                        b'}' => break,
                        _ => return None,
                    }
                }
            };
            // serde says "duplicate field"; the envelope's strings are judged by
            // serde's own reading when they are not strings.
            let judged_by_serde = slot.is_some()
                || (key != "request" && !matches!(value, Value::String(_) | Value::Null));
            if judged_by_serde {
                return None;
            }
            *slot = Some(value);
            r.ws();
            match r.next()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
    }
    r.ws();
    (r.pos == r.bytes.len()).then_some(env)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Entries of the objects being read, innermost last.
    entries: Vec<(Value, Value)>,
    /// The [`interned::prefix`] of each key of `entries`.
    prefixes: Vec<u64>,
    /// Items of the lists being read, innermost last.
    items: Vec<Value>,
    depth: usize,
}

/// Bytes that end the plain run of a string: the closing quote, an escape, and the
/// control characters JSON does not allow in a string.
static STOP: [bool; 256] = {
    let mut stop = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        stop[b] = true;
        b += 1;
    }
    stop[b'"' as usize] = true;
    stop[b'\\' as usize] = true;
    stop
};

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn eat(&mut self, expected: u8) -> Option<()> {
        (self.next()? == expected).then_some(())
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'"' => {
                self.pos += 1;
                self.string_value()
            }
            b'{' => self.object(),
            b'[' => self.array(),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        let end = self.pos + word.len();
        (self.bytes.get(self.pos..end)? == word).then(|| {
            self.pos = end;
            value
        })
    }

    /// A number: a plain non-negative integer of up to 18 digits here, any other
    /// as serde_json reads it (`-0`, fractions, exponents, big integers).
    fn number(&mut self) -> Option<Value> {
        let start = self.pos;
        let mut end = start;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.bytes.get(end) {
            end += 1;
        }
        self.pos = end;
        let token = &self.bytes[start..end];
        let plain = token.len() <= 18
            && token.iter().all(u8::is_ascii_digit)
            && (token.len() == 1 || token[0] != b'0');
        if plain {
            let n = token.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            return Some(Value::from(n));
        }
        serde_json::from_str::<super::Decoded>(self.text.get(start..end)?)
            .ok()
            .map(|d| d.0)
    }

    /// A string value, after its opening quote: shared if it is a recurring one.
    #[inline]
    fn string_value(&mut self) -> Option<Value> {
        let start = self.pos;
        let end = plain_run(self.bytes, start);
        if self.peek_at(end)? != b'"' {
            return self.string().map(|s| Value::from(s.as_ref()));
        }
        self.pos = end + 1;
        let s = self.bytes.get(start..end)?;
        match STRINGS.get(s, prefix_at(self.bytes, start, s.len())) {
            Some(v) => Some(v.clone()),
            None => Some(Value::from(self.text.get(start..end)?)),
        }
    }

    /// An object key, after its opening quote, and its [`interned::prefix`]: the
    /// shared value of a known key.
    #[inline]
    fn key(&mut self) -> Option<(Value, u64)> {
        let start = self.pos;
        let end = plain_run(self.bytes, start);
        if self.peek_at(end)? != b'"' {
            let s = self.string()?;
            let prefix = interned::prefix(s.as_bytes());
            let key = KEYS.get(s.as_bytes(), prefix).cloned();
            return Some((key.unwrap_or_else(|| Value::from(s.as_ref())), prefix));
        }
        self.pos = end + 1;
        let s = self.bytes.get(start..end)?;
        let prefix = prefix_at(self.bytes, start, s.len());
        let key = match KEYS.get(s, prefix) {
            Some(k) => k.clone(),
            None => Value::from(self.text.get(start..end)?),
        };
        Some((key, prefix))
    }

    /// A string's text, after its opening quote: a slice of the body unless it has
    /// escapes.
    #[cold]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos;
        let end = self.plain_run(start);
        match self.peek_at(end)? {
            b'"' => {
                self.pos = end + 1;
                return Some(Cow::Borrowed(self.text.get(start..end)?));
            }
            b'\\' => {}
            _ => return None,
        }
        let mut out = String::with_capacity(end - start + 16);
        out.push_str(self.text.get(start..end)?);
        self.pos = end;
        loop {
            // At a backslash.
            self.pos += 1;
            match self.next()? {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => out.push(self.unicode_escape()?),
                _ => return None,
            }
            let from = self.pos;
            let end = self.plain_run(from);
            out.push_str(self.text.get(from..end)?);
            self.pos = end;
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {}
                _ => return None,
            }
        }
    }

    fn peek_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// Where the run of plain string bytes from `from` ends.
    fn plain_run(&self, from: usize) -> usize {
        plain_run(self.bytes, from)
    }

    /// After `\u`: the character of the escape, with a surrogate pair read whole; a
    /// lone surrogate is left to serde_json.
    fn unicode_escape(&mut self) -> Option<char> {
        let high = self.hex4()?;
        match high {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.pos..self.pos + 2)? != b"\\u" {
                    return None;
                }
                self.pos += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return None;
                }
                char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(high),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        self.pos += 4;
        Some(n)
    }

    fn enter(&mut self) -> Option<()> {
        self.pos += 1;
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn object(&mut self) -> Option<Value> {
        self.enter()?;
        let start = self.entries.len();
        self.ws();
        if self.peek()? == b'}' {
            self.pos += 1;
        } else {
            loop {
                self.eat(b'"')?;
                let (key, prefix) = self.key()?;
                self.ws();
                self.eat(b':')?;
                self.ws();
                let value = self.value()?;
                self.entries.push((key, value));
                self.prefixes.push(prefix);
                self.ws();
                match self.next()? {
                    b',' => self.ws(),
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        // Exactly sized, and in the order objects keep, so that regorus neither
        // sorts nor compares the keys again.
        let entries = self.sorted_unique(start);
        Some(Value::object_from_sorted_entries(entries))
    }

    /// The entries of `self.entries` from `start`, taken off the stack: in order
    /// by their keys' bytes (the order of `Value::Ord` among strings), each key
    /// once; of a key given more than once, the last value is kept, as inserting
    /// them one by one into an object would.
    fn sorted_unique(&mut self, start: usize) -> Vec<(Value, Value)> {
        if self.entries.len() <= start + 1 {
            self.prefixes.truncate(start);
            return self.entries.split_off(start);
        }
        let entries = self.entries.get_mut(start..).unwrap_or_default();
        let prefixes = self.prefixes.get_mut(start..).unwrap_or_default();
        let mut repeated = false;
        if entries.len() <= SMALL && prefixes.len() == entries.len() {
            // Small objects (the fields of a Kubernetes type, in the order Go
            // declares them) by insertion, comparing prefixes: keys are only read
            // where two share their first eight bytes. Entries already in order
            // (Go writes a map's keys sorted) are only compared.
            for i in 1..entries.len() {
                let mut j = i;
                while j > 0 {
                    let order = prefixes[j - 1].cmp(&prefixes[j]).then_with(|| {
                        bytes_cmp(key_bytes(&entries[j - 1]), key_bytes(&entries[j]))
                    });
                    match order {
                        Ordering::Less => break,
                        Ordering::Equal => {
                            // Stable: the later one stays after.
                            repeated = true;
                            break;
                        }
                        Ordering::Greater => {
                            entries.swap(j - 1, j);
                            prefixes.swap(j - 1, j);
                            j -= 1;
                        }
                    }
                }
            }
        } else if !prefixes.windows(2).all(|w| w[0] < w[1]) {
            // Stable: of equal keys, the last one given stays last.
            entries.sort_by(|a, b| bytes_cmp(key_bytes(a), key_bytes(b)));
            repeated = true;
        }
        self.prefixes.truncate(start);
        let mut sorted = self.entries.split_off(start);
        if repeated {
            sorted.dedup_by(|later, kept| {
                let equal = same_bytes(key_bytes(later), key_bytes(kept));
                if equal {
                    std::mem::swap(&mut later.1, &mut kept.1);
                }
                equal
            });
        }
        sorted
    }

    fn array(&mut self) -> Option<Value> {
        self.enter()?;
        let start = self.items.len();
        self.ws();
        if self.peek()? == b']' {
            self.pos += 1;
        } else {
            loop {
                self.ws();
                let item = self.value()?;
                self.items.push(item);
                self.ws();
                match self.next()? {
                    b',' => {}
                    b']' => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let items = self.items.split_off(start);
        Some(Value::from(items))
    }
}

/// The bytes of an entry's key: every key this reader makes is a string.
fn key_bytes(entry: &(Value, Value)) -> &[u8] {
    match &entry.0 {
        Value::String(s) => s.as_bytes(),
        _ => &[],
    }
}

/// Objects of up to this many keys are put in order by insertion.
const SMALL: usize = 16;

/// Where the run of plain string bytes of `bytes` from `from` ends: eight bytes at
/// a time, each word tested at once for a quote, a backslash and a byte under
/// 0x20 (the lowest flagged byte of each test is exact), then byte by byte.
#[inline]
fn plain_run(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let found = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w);
        let found = found & HIGH;
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if STOP[usize::from(b)] {
            break;
        }
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn plain_runs_end_at_the_first_quote_backslash_or_control_byte(
            bytes in prop::collection::vec(
                prop_oneof![
                    8 => 0x20u8..=0xff,
                    1 => prop::sample::select(vec![b'"', b'\\', 0, 0x1f, 0x7f, 0x80, 0xff]),
                ],
                0..40,
            ),
            from in 0usize..8,
        ) {
            let from = from.min(bytes.len());
            let plain = bytes[from..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .map_or(bytes.len(), |i| from + i);
            prop_assert_eq!(plain_run(&bytes, from), plain);
        }

    }
}
