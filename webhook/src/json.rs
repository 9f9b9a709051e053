//! JSON written straight into bytes: the answers the webhook sends and its
//! per-review log line.
//!
//! The same bytes as `serde_json::to_vec` (keys in the map's order, the same string
//! escapes, numbers written by serde_json), in fewer instructions: serde_json looks
//! every byte of a string up in a table and writes through `io::Write`; here a
//! string is scanned eight bytes at a time for the three kinds of byte that need
//! an escape (control characters, `"` and `\`) and copied in runs. An answer with
//! warnings is mostly such text (about 2 KB for the benchmark's Pod).

use serde_json::Value;

/// `value` as JSON, byte for byte what `serde_json::to_vec` writes.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, value);
    out
}

/// Appends `value` as JSON to `out`.
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // Writing a number into a Vec cannot fail.
        Value::Number(n) => {
            let _ = serde_json::to_writer(&mut *out, n);
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, key);
                out.push(b':');
                write_value(out, item);
            }
            out.push(b'}');
        }
    }
}

/// Appends `s` as a JSON string (quoted and escaped as serde_json does).
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Whole words of eight bytes none of which needs an escape.
        while let Some(word) = bytes[at..].first_chunk::<8>() {
            if needs_escape(u64::from_le_bytes(*word)) {
                break;
            }
            at += 8;
        }
        // Then the word with an escape (or the last few bytes) one by one.
        let end = bytes.len().min(at + 8);
        while at < end {
            if let Some(escaped) = escape(bytes[at]) {
                out.extend_from_slice(&bytes[run..at]);
                out.extend_from_slice(escaped);
                run = at + 1;
            }
            at += 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is below 0x20, `"` or `\` (exact: a hit is a byte
/// that needs an escape, possibly among others).
fn needs_escape(word: u64) -> bool {
    // A byte of x is zero ⇔ its bit 7 is set in (x - 1) & !x (per byte, exact for
    // "any"); a byte below n (n ≤ 0x80) likewise with (x - n).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    below_space | zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\')))
        != 0
}

/// How serde_json writes byte `b` inside a string, when not as itself.
fn escape(b: u8) -> Option<&'static [u8]> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    /// `\u00XX` for each control character.
    static UNICODE: [[u8; 6]; 32] = {
        let mut table = [[0u8; 6]; 32];
        let mut i = 0;
        while i < 32 {
            table[i] = [b'\\', b'u', b'0', b'0', HEX[i >> 4], HEX[i & 0xf]];
            i += 1;
        }
        table
    };
    let escaped: &'static [u8] = match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        0x08 => b"\\b",
        b'\t' => b"\\t",
        b'\n' => b"\\n",
        0x0c => b"\\f",
        b'\r' => b"\\r",
        0..=0x1f => &UNICODE[usize::from(b)],
        _ => return None,
    };
    Some(escaped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same(value: &Value) {
        let ours = to_vec(value);
        let theirs = serde_json::to_vec(value).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_escapes_it() {
        // Each character alone, and at every offset of an eight-byte word.
        for c in (0u32..0x200).chain([0x2028, 0x2029, 0xfeff, 0x1f600]) {
            let Some(c) = char::from_u32(c) else { continue };
            for pad in 0..10 {
                let s = format!("{}{c}{}", "a".repeat(pad), "é".repeat(pad % 3));
                same(&Value::String(s));
            }
        }
    }

    #[test]
    fn generated_strings_and_values_are_written_as_serde_json_writes_them() {
        // A small deterministic generator: runs of plain text, escapes and
        // multi-byte characters of every length.
        let alphabet = [
            'a', ' ', '"', '\\', '\n', '\u{1}', '\u{1f}', '\u{7f}', 'é', '…', '😀', '/',
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let len = (next() % 40) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            same(&Value::String(s.clone()));
            same(&json!({ s.clone(): [s.clone(), 1, -2.5, null, true, false, {"k": s}] }));
        }
    }

    #[test]
    fn answers_are_written_as_serde_json_writes_them() {
        same(&json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": "3b1d7d0e",
                "allowed": false,
                "status": {"code": 403, "reason": "Forbidden", "message": "denied:\n[a] b \"c\""},
                "warnings": ["[x] y", "… and 3 more"],
                "auditAnnotations": {"rule-a": "one; two"},
            }
        }));
        same(&json!({"n": [0, 1.5, 1e300, u64::MAX, i64::MIN, 0.1]}));
        same(&json!({}));
        same(&json!([]));
    }
}
