//! Scalar resolution as Kubernetes does it.
//!
//! kubectl and the API server turn YAML into JSON through `sigs.k8s.io/yaml`, which
//! decodes with go-yaml v2 (YAML 1.1 rules) and then encodes JSON. So `yes` and `on`
//! are booleans, `0777` is octal 511, and mapping keys are resolved and then turned
//! back into strings (`on:` becomes `"true"`). A linter that read YAML 1.2 would see
//! `privileged: yes` as a string and miss a privileged pod.
//!
//! Where JSON cannot follow YAML:
//! - `.inf`, `-.inf` and `.nan` resolve to floats that JSON cannot hold: as values,
//!   Kubernetes rejects the document when it encodes JSON (the caller reports it);
//!   as keys they become `.inf`/`-.inf`/`.nan`, as sigs.k8s.io/yaml writes them.
//! - Timestamps stay strings, as go-yaml v2 leaves them when decoding into `interface{}`.
//! - `!!binary` text is base64-decoded and its bytes used as text ([`decode_binary`]).

use std::borrow::Cow;

use regorus::Value;

/// What a scalar's text means, without its text (the caller keeps that).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers above `i64::MAX` that fit `u64`.
    UInt(u64),
    Float(f64),
    Str,
}

/// A tag from the YAML core schema, or any other tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreTag {
    Str,
    Int,
    Float,
    Bool,
    Null,
    Merge,
    /// Base64 that go-yaml decodes, using the bytes as a string.
    Binary,
    Timestamp,
    /// A local or unknown tag (`!foo`, `!!set` on a scalar): go-yaml v2 keeps the text
    /// as a string.
    Other,
}

impl CoreTag {
    /// Classifies a tag given as handle (`tag:yaml.org,2002:` once `!!` is expanded,
    /// or `!`) and suffix.
    pub fn from_parts(handle: &str, suffix: &str) -> CoreTag {
        const CORE: &str = "tag:yaml.org,2002:";
        let name = match (handle, suffix.strip_prefix(CORE)) {
            (CORE | "!!", _) => suffix,
            // The verbatim form, `!<tag:yaml.org,2002:int>`.
            ("" | "!", Some(name)) => name,
            _ => return CoreTag::Other,
        };
        match name {
            "str" => CoreTag::Str,
            "int" => CoreTag::Int,
            "float" => CoreTag::Float,
            "bool" => CoreTag::Bool,
            "null" => CoreTag::Null,
            "merge" => CoreTag::Merge,
            "binary" => CoreTag::Binary,
            "timestamp" => CoreTag::Timestamp,
            _ => CoreTag::Other,
        }
    }
}

/// Resolves a plain (unquoted, untagged) scalar the way go-yaml v2 does.
pub fn resolve_plain(text: &str) -> Resolved {
    let Some(&first) = text.as_bytes().first() else {
        return Resolved::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            keyword(text).unwrap_or(Resolved::Str)
        }
        b'.' => keyword(text).unwrap_or_else(|| {
            // go-yaml calls strconv.ParseFloat here, which takes exactly `.digits[exp]`.
            match is_yaml_float(text) {
                true => finite_float(text),
                false => Resolved::Str,
            }
        }),
        b'+' | b'-' | b'0'..=b'9' => keyword(text).unwrap_or_else(|| number(text)),
        _ => Resolved::Str,
    }
}

/// Resolves a scalar with an explicit tag. `text` is the scalar's value whatever its
/// style (go-yaml honours `!!int "12"`); `!!binary` is the caller's ([`decode_binary`]).
pub fn resolve_tagged(text: &str, tag: CoreTag) -> Result<Resolved, String> {
    let plain = resolve_plain(text);
    let ok = match (tag, plain) {
        (CoreTag::Str | CoreTag::Other | CoreTag::Merge | CoreTag::Binary, _) => {
            return Ok(Resolved::Str)
        }
        (CoreTag::Timestamp, _) if go_timestamp(text) => Resolved::Str,
        (CoreTag::Int, Resolved::Int(_) | Resolved::UInt(_)) => plain,
        (CoreTag::Float, Resolved::Float(_)) => plain,
        // go-yaml turns an int64 into a float, not a uint64.
        (CoreTag::Float, Resolved::Int(i)) => Resolved::Float(i as f64),
        (CoreTag::Bool, Resolved::Bool(_)) => plain,
        (CoreTag::Null, Resolved::Null) => plain,
        _ => {
            let name = match tag {
                CoreTag::Int => "!!int",
                CoreTag::Float => "!!float",
                CoreTag::Bool => "!!bool",
                CoreTag::Timestamp => "!!timestamp",
                _ => "!!null",
            };
            return Err(format!("cannot read `{}` as {name}", shorten(text)));
        }
    };
    Ok(ok)
}

/// The text go-yaml makes of a `!!binary` scalar: the base64 decoded (line breaks
/// ignored, padding required), its bytes taken as a string; bytes that are not UTF-8
/// become U+FFFD one by one, as Go's JSON encoder writes them.
pub fn decode_binary(text: &str) -> Result<String, String> {
    let bad = || "`!!binary` value is not valid base64; Kubernetes rejects it".to_string();
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .collect();
    if !digits.len().is_multiple_of(4) {
        return Err(bad());
    }
    let value = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut bytes = Vec::with_capacity(digits.len() / 4 * 3);
    let quads = digits.chunks(4).count();
    for (i, quad) in digits.chunks(4).enumerate() {
        let pad = quad.iter().rev().take_while(|&&b| b == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != quads) {
            return Err(bad());
        }
        let mut n = 0u32;
        for &b in &quad[..4 - pad] {
            n = (n << 6) | value(b).ok_or_else(bad)?;
        }
        n <<= 6 * pad as u32;
        let got = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        bytes.extend_from_slice(&got[..3 - pad]);
    }
    Ok(go_json_text(&bytes))
}

/// Bytes as Go's encoding/json writes a string: each byte that is not part of valid
/// UTF-8 becomes U+FFFD.
fn go_json_text(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len());
                for _ in 0..bad {
                    out.push('\u{FFFD}');
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// Whether go-yaml v2 reads `text` as a timestamp: `YYYY-M-D`, optionally followed by
/// `T`/`t` or a space, `h:m:s`, a fraction, and (after `T`/`t` only, then required)
/// `Z` or `±hh:mm`; fields in range, as Go's time.Parse checks them.
pub fn go_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    // 1 or 2 digits, as Go's layout fields `1`, `2`, `15`, `4`, `5` take them.
    let num = |i: &mut usize| -> Option<u32> {
        let d = |j: usize| {
            b.get(j)
                .filter(|c| c.is_ascii_digit())
                .map(|c| (c - b'0') as u32)
        };
        let first = d(*i)?;
        *i += 1;
        match d(*i) {
            Some(second) => {
                *i += 1;
                Some(first * 10 + second)
            }
            None => Some(first),
        }
    };
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = text[..4].parse().unwrap_or(0);
    let mut i = 5;
    let Some(month) = num(&mut i) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i) else {
        return false;
    };
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day < 1 || day > days {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    for (n, max) in [(0, 23), (1, 59), (2, 59)] {
        if n > 0 {
            if b.get(i) != Some(&b':') {
                return false;
            }
            i += 1;
        }
        match num(&mut i) {
            Some(v) if v <= max => {}
            _ => return false,
        }
    }
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let z = &b[i + 1..];
            z.len() == 5 && z[2] == b':' && [0, 1, 3, 4].iter().all(|&j| z[j].is_ascii_digit())
        }
        _ => false,
    }
}

/// The value Kubernetes would see for a resolved scalar.
pub fn to_value(resolved: Resolved, text: &str) -> Value {
    match resolved {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::from(i),
        Resolved::UInt(u) => Value::from(u),
        Resolved::Float(f) if f.is_finite() => Value::from(f),
        Resolved::Float(_) | Resolved::Str => Value::from(text),
    }
}

/// The JSON object key sigs.k8s.io/yaml makes of a resolved mapping key.
pub fn to_key(resolved: Resolved, text: &str) -> Result<Cow<'_, str>, String> {
    match resolved {
        Resolved::Str => Ok(Cow::Borrowed(text)),
        Resolved::Bool(true) => Ok(Cow::Borrowed("true")),
        Resolved::Bool(false) => Ok(Cow::Borrowed("false")),
        Resolved::Int(i) => Ok(Cow::Owned(i.to_string())),
        Resolved::Float(f) => Ok(Cow::Owned(go_format_float32(f))),
        Resolved::Null => Err("a mapping key is null; Kubernetes cannot read it".into()),
        Resolved::UInt(_) => Err(format!(
            "mapping key `{}` is an integer above 2^63; Kubernetes cannot use it as a key",
            shorten(text)
        )),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, with the infinities spelled as go-yaml
/// does: how sigs.k8s.io/yaml writes a float mapping key.
pub fn go_format_float32(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let x = f as f32;
    if x.is_infinite() {
        // Go formats a float64 beyond f32 range as +Inf/-Inf, which the key spells so.
        return if x > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let neg = x.is_sign_negative();
    // Rust's `{:e}` prints the shortest digits that round-trip, as Go's -1 precision does.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if x == 0.0 {
        out.push('0');
        return out;
    }
    // Go's 'g' with the shortest precision switches to an exponent outside [-4, 6).
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else {
        let dp = exp + 1; // digits before the decimal point
        if dp <= 0 {
            out.push_str("0.");
            for _ in 0..(-dp) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let dp = dp as usize;
            if digits.len() <= dp {
                out.push_str(&digits);
                for _ in digits.len()..dp {
                    out.push('0');
                }
            } else {
                out.push_str(&digits[..dp]);
                out.push('.');
                out.push_str(&digits[dp..]);
            }
        }
    }
    out
}

/// The go-yaml v2 resolve table: booleans, nulls, and the special floats.
fn keyword(text: &str) -> Option<Resolved> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// ParseInt(base 0) → ParseUint(base 0) → YAML-style float, on the text without `_`.
fn number(text: &str) -> Resolved {
    let plain: Cow<'_, str> = if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    };
    match go_parse_int(&plain) {
        Ok(i) => return Resolved::Int(i),
        Err(IntError::Range) => {
            if let Some(u) = go_parse_uint(&plain) {
                return Resolved::UInt(u);
            }
        }
        Err(IntError::Syntax) => {}
    }
    if is_yaml_float(&plain) {
        return finite_float(&plain);
    }
    Resolved::Str
}

/// A float Go's ParseFloat accepts; overflow (`1e400`) is an error there, so a string here.
fn finite_float(text: &str) -> Resolved {
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Resolved::Float(f),
        _ => Resolved::Str,
    }
}

enum IntError {
    Syntax,
    Range,
}

/// Go's `strconv.ParseInt(s, 0, 64)` (underscores already removed).
fn go_parse_int(s: &str) -> Result<i64, IntError> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = go_parse_uint_checked(body)?;
    const CUTOFF: u64 = 1 << 63;
    match (neg, magnitude) {
        (false, m) if m >= CUTOFF => Err(IntError::Range),
        (true, m) if m > CUTOFF => Err(IntError::Range),
        (true, m) => Ok((m as i64).wrapping_neg()),
        (false, m) => Ok(m as i64),
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: no sign allowed.
fn go_parse_uint(s: &str) -> Option<u64> {
    go_parse_uint_checked(s).ok()
}

fn go_parse_uint_checked(s: &str) -> Result<u64, IntError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(IntError::Syntax);
    }
    let (base, digits): (u32, &[u8]) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &b[2..]),
            Some(b'o') if b.len() >= 3 => (8, &b[2..]),
            Some(b'x') if b.len() >= 3 => (16, &b[2..]),
            _ => (8, &b[1..]),
        }
    } else {
        (10, b)
    };
    let mut n: u64 = 0;
    let mut overflow = false;
    for &c in digits {
        let d = (c as char).to_digit(base).ok_or(IntError::Syntax)?;
        match n
            .checked_mul(base as u64)
            .and_then(|n| n.checked_add(d as u64))
        {
            Some(v) => n = v,
            None => overflow = true,
        }
    }
    if overflow {
        Err(IntError::Range)
    } else {
        Ok(n)
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Keeps error messages short when a scalar is long.
fn shorten(text: &str) -> Cow<'_, str> {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain(s: &str) -> Value {
        to_value(resolve_plain(s), s)
    }

    #[test]
    fn yaml_1_1_booleans_are_booleans() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(plain(t), Value::Bool(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(plain(f), Value::Bool(false), "{f}");
        }
        for s in ["yES", "oN", "tRUE", "On1", "yess", "nope"] {
            assert_eq!(plain(s), Value::from(s), "{s}");
        }
    }

    #[test]
    fn nulls() {
        for n in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(n), Value::Null, "{n:?}");
        }
        assert_eq!(plain("nULL"), Value::from("nULL"));
    }

    #[test]
    fn integers_follow_go_parse_int_base_0() {
        let cases: &[(&str, i64)] = &[
            ("0777", 511),
            ("0x1F", 31),
            ("0X1f", 31),
            ("0b1010", 10),
            ("-0b1010", -10),
            ("0o17", 15),
            ("0O17", 15),
            ("+12", 12),
            ("-0", 0),
            ("0", 0),
            ("1_000", 1000),
            ("0x_1F", 31),
            ("-9223372036854775808", i64::MIN),
            ("9223372036854775807", i64::MAX),
        ];
        for (text, want) in cases {
            assert_eq!(plain(text), Value::from(*want), "{text}");
        }
    }

    #[test]
    fn large_integers_become_u64_then_float() {
        assert_eq!(
            plain("9223372036854775808"),
            Value::from(9_223_372_036_854_775_808u64)
        );
        assert_eq!(plain("18446744073709551615"), Value::from(u64::MAX));
        assert_eq!(
            plain("18446744073709551616"),
            Value::from(1.8446744073709552e19)
        );
        assert_eq!(
            plain("-9223372036854775809"),
            Value::from(-9.223372036854776e18)
        );
        // hex too large for u64 is not a float either
        assert_eq!(
            plain("0x1ffffffffffffffff"),
            Value::from("0x1ffffffffffffffff")
        );
    }

    #[test]
    fn floats() {
        assert_eq!(plain("1.5"), Value::from(1.5));
        assert_eq!(plain(".5"), Value::from(0.5));
        assert_eq!(plain("-.5e1"), Value::from(-5.0));
        assert_eq!(plain("1e3"), Value::from(1000.0));
        assert_eq!(plain("1_000.5"), Value::from(1000.5));
        assert_eq!(plain("5."), Value::from(5.0));
        // 08 is not octal, but it is a YAML float
        assert_eq!(plain("08"), Value::from(8.0));
        assert_eq!(plain("1e400"), Value::from("1e400"));
        for s in [
            "1.2.3", "1e", ".", "-", "+", "1_", "0x", "e5", ".e5", "1.5x", "1,5",
        ] {
            if s == "1_" {
                assert_eq!(plain(s), Value::from(1), "{s}");
                continue;
            }
            assert_eq!(plain(s), Value::from(s), "{s}");
        }
    }

    #[test]
    fn infinities_and_nan_stay_text() {
        for s in [".inf", "-.inf", "+.INF", ".nan", ".NaN"] {
            assert_eq!(plain(s), Value::from(s), "{s}");
        }
        assert_eq!(to_key(resolve_plain(".inf"), ".inf").unwrap(), ".inf");
        assert_eq!(to_key(resolve_plain("-.Inf"), "-.Inf").unwrap(), "-.inf");
    }

    #[test]
    fn timestamps_and_versions_are_strings() {
        for s in [
            "2001-12-14",
            "2001-12-14t21:59:43.10-05:00",
            "1.2.3",
            "v1",
            "12:30",
            "1:20",
        ] {
            assert_eq!(plain(s), Value::from(s), "{s}");
        }
    }

    #[test]
    fn keys_are_stringified_as_sigs_k8s_yaml_does() {
        let key = |s: &str| to_key(resolve_plain(s), s).map(|k| k.into_owned());
        assert_eq!(key("on").unwrap(), "true");
        assert_eq!(key("No").unwrap(), "false");
        assert_eq!(key("0777").unwrap(), "511");
        assert_eq!(key("0x10").unwrap(), "16");
        assert_eq!(key("1.5").unwrap(), "1.5");
        assert_eq!(key("0.1").unwrap(), "0.1");
        assert_eq!(key("1e6").unwrap(), "1e+06");
        assert_eq!(key("123456.0").unwrap(), "123456");
        assert_eq!(key("1234567.0").unwrap(), "1.234567e+06");
        assert_eq!(key("0.0001").unwrap(), "0.0001");
        assert_eq!(key("0.00001").unwrap(), "1e-05");
        assert_eq!(key("3.14159265358979").unwrap(), "3.1415927");
        assert_eq!(key("-2.5").unwrap(), "-2.5");
        assert_eq!(key("0.0").unwrap(), "0");
        assert_eq!(key("name").unwrap(), "name");
        assert!(key("~").is_err());
        assert!(key("").is_err());
        assert!(key("18446744073709551615").is_err());
    }

    #[test]
    fn tags_are_honoured() {
        assert_eq!(resolve_tagged("12", CoreTag::Int), Ok(Resolved::Int(12)));
        assert_eq!(
            resolve_tagged("12", CoreTag::Float),
            Ok(Resolved::Float(12.0))
        );
        assert_eq!(resolve_tagged("yes", CoreTag::Str), Ok(Resolved::Str));
        assert_eq!(
            resolve_tagged("on", CoreTag::Bool),
            Ok(Resolved::Bool(true))
        );
        assert_eq!(resolve_tagged("", CoreTag::Null), Ok(Resolved::Null));
        assert!(resolve_tagged("abc", CoreTag::Int).is_err());
        assert!(resolve_tagged("1", CoreTag::Bool).is_err());
        assert_eq!(resolve_tagged("1", CoreTag::Other), Ok(Resolved::Str));
        assert_eq!(
            CoreTag::from_parts("tag:yaml.org,2002:", "int"),
            CoreTag::Int
        );
        assert_eq!(CoreTag::from_parts("!", "int"), CoreTag::Other);
    }

    proptest! {
        #[test]
        fn decimal_integers_round_trip(n in any::<i64>()) {
            let text = n.to_string();
            prop_assert_eq!(resolve_plain(&text), Resolved::Int(n));
        }

        #[test]
        fn octal_with_leading_zero(n in 0u32..1_000_000) {
            let text = format!("0{n:o}");
            prop_assert_eq!(resolve_plain(&text), Resolved::Int(n as i64));
        }

        #[test]
        fn resolution_never_panics(s in "\\PC{0,12}") {
            let r = resolve_plain(&s);
            let _ = to_value(r, &s);
            let _ = to_key(r, &s);
        }

        #[test]
        fn float_keys_read_back_as_the_same_f32(f in any::<f32>().prop_filter("finite", |f| f.is_finite())) {
            let text = go_format_float32(f as f64);
            let back: f32 = text.parse().unwrap();
            prop_assert_eq!(back, f);
        }
    }
}
