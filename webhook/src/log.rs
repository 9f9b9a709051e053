//! The webhook's JSON logs on stderr, and the one line of every review written
//! without going through `tracing`'s formatter.
//!
//! Every log line is a JSON object: `timestamp` (UTC, microseconds), `level`,
//! `message`, the event's fields, `target`. The review line is the one written per
//! request; tracing-subscriber's JSON formatter took about 26,000 instructions for
//! it (a serde serializer over a `fmt::Write` adaptor, the timestamp through
//! `fmt`), about 3% of a Pod review's request. [`ReviewLine`] writes the same bytes
//! directly (a test holds it to the formatter's output), and only when the log
//! filter lets the event through.

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::json::write_str;

/// The subscriber of the process: JSON lines on stderr, filtered by `level`
/// unless `RUST_LOG` is set.
pub fn init(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = subscriber(filter, std::io::stderr).try_init();
}

/// The JSON formatter's settings (shared with the test that holds [`ReviewLine`]
/// to its output).
fn subscriber<W>(
    filter: tracing_subscriber::EnvFilter,
    writer: W,
) -> tracing_subscriber::fmt::SubscriberBuilder<
    tracing_subscriber::fmt::format::JsonFields,
    tracing_subscriber::fmt::format::Format<tracing_subscriber::fmt::format::Json>,
    tracing_subscriber::EnvFilter,
    W,
>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(writer)
}

/// The INFO line `review` of one decided request.
pub struct ReviewLine<'a> {
    pub uid: &'a str,
    pub operation: &'a str,
    pub kind: &'a str,
    pub sub_resource: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub user: &'a str,
    pub dry_run: bool,
    pub decision: &'a str,
    /// Rule ids, comma-separated.
    pub rules: &'a str,
    pub exempted: &'a str,
    pub duration_ms: f64,
}

impl ReviewLine<'_> {
    /// Writes the line to stderr as from `target`. The caller checks first that
    /// the filter lets an INFO event of `target` through (`tracing::enabled!`).
    pub fn emit(&self, target: &str) {
        let line = self.to_bytes(SystemTime::now(), target);
        // As tracing-subscriber: one write per line; a failed write is dropped.
        let _ = std::io::stderr().write_all(&line);
    }

    /// The line, ending in a newline.
    pub fn to_bytes(&self, now: SystemTime, target: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(b"{\"timestamp\":\"");
        timestamp(&mut out, now);
        out.extend_from_slice(b"\",\"level\":\"INFO\",\"message\":\"review\"");
        let strings = [
            ("uid", self.uid),
            ("operation", self.operation),
            ("kind", self.kind),
            ("sub_resource", self.sub_resource),
            ("namespace", self.namespace),
            ("name", self.name),
            ("user", self.user),
        ];
        for (key, value) in strings {
            field(&mut out, key);
            write_str(&mut out, value);
        }
        field(&mut out, "dry_run");
        out.extend_from_slice(if self.dry_run { b"true" } else { b"false" });
        for (key, value) in [
            ("decision", self.decision),
            ("rules", self.rules),
            ("exempted", self.exempted),
        ] {
            field(&mut out, key);
            write_str(&mut out, value);
        }
        field(&mut out, "duration_ms");
        // serde_json's number (ryu; `null` if not finite), as the formatter writes it.
        let _ = serde_json::to_writer(&mut out, &self.duration_ms);
        field(&mut out, "target");
        write_str(&mut out, target);
        out.extend_from_slice(b"}\n");
        out
    }
}

/// `,"key":` (keys here need no escape).
fn field(out: &mut Vec<u8>, key: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

/// `now` as tracing-subscriber writes `SystemTime`: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
fn timestamp(out: &mut Vec<u8>, now: SystemTime) {
    let (secs, nanos) = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            match d.subsec_nanos() {
                0 => (-(d.as_secs() as i64), 0),
                n => (-(d.as_secs() as i64) - 1, 1_000_000_000 - n),
            }
        }
    };
    let (year, month, day) = blastwall::config::civil_from_days(secs.div_euclid(86_400));
    let second_of_day = secs.rem_euclid(86_400) as u32;
    if (0..=9999).contains(&year) {
        digits(out, year as u32, 4);
    } else if year > 9999 {
        let _ = write!(out, "+{year}");
    } else {
        let _ = write!(out, "{year:05}");
    }
    out.push(b'-');
    digits(out, month, 2);
    out.push(b'-');
    digits(out, day, 2);
    out.push(b'T');
    digits(out, second_of_day / 3600, 2);
    out.push(b':');
    digits(out, second_of_day / 60 % 60, 2);
    out.push(b':');
    digits(out, second_of_day % 60, 2);
    out.push(b'.');
    digits(out, nanos / 1_000, 6);
    out.push(b'Z');
}

/// `n` in `width` decimal digits, zero-padded (`n` < 10^width).
fn digits(out: &mut Vec<u8>, mut n: u32, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    for slot in out[start..].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What the formatter writes for the same event (`tracing::info!` as the
    /// server wrote it before), its timestamp cut out, and the timestamp.
    fn through_tracing(line: &ReviewLine) -> (String, String) {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = subscriber(tracing_subscriber::EnvFilter::new("info"), move || {
            writer.clone()
        })
        .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                target: "blastwall_webhook::server",
                uid = line.uid,
                operation = line.operation,
                kind = line.kind,
                sub_resource = line.sub_resource,
                namespace = line.namespace,
                name = line.name,
                user = line.user,
                dry_run = line.dry_run,
                decision = line.decision,
                rules = line.rules,
                exempted = line.exempted,
                duration_ms = line.duration_ms,
                "review"
            );
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        split_timestamp(&text)
    }

    fn split_timestamp(line: &str) -> (String, String) {
        let prefix = "{\"timestamp\":\"";
        assert!(line.starts_with(prefix), "{line}");
        let end = prefix.len() + line[prefix.len()..].find('"').unwrap();
        (
            format!("{prefix}{}", &line[end..]),
            line[prefix.len()..end].to_string(),
        )
    }

    #[test]
    fn the_review_line_is_what_the_json_formatter_writes() {
        let lines = [
            ReviewLine {
                uid: "3b1d7d0e-5f0c-4a55-9a7e-2f4f1b0c9e11",
                operation: "CREATE",
                kind: "v1/Pod",
                sub_resource: "",
                namespace: "payroll-api",
                name: "api-7d9c6b5f4-x2x9k",
                user: "system:serviceaccount:kube-system:replicaset-controller",
                dry_run: false,
                decision: "warn",
                rules: "missing-resource-limits,privilege-escalation,run-as-root",
                exempted: "",
                duration_ms: 11.315418000000001,
            },
            ReviewLine {
                uid: "u\"\\\n\t\u{1}é😀",
                operation: "UPDATE",
                kind: "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
                sub_resource: "status",
                namespace: "",
                name: "</script>\u{7f}",
                user: "alice@example.com",
                dry_run: true,
                decision: "deny",
                rules: "a,b",
                exempted: "c",
                duration_ms: 0.0,
            },
        ];
        for (i, line) in lines.iter().enumerate() {
            let (expected, their_time) = through_tracing(line);
            let now = SystemTime::now();
            let ours = String::from_utf8(line.to_bytes(now, "blastwall_webhook::server")).unwrap();
            let (ours, our_time) = split_timestamp(&ours);
            assert_eq!(ours, expected, "line {i}");
            // Written a moment apart: the same shape (the values are checked below).
            let shape = |t: &str| t.replace(|c: char| c.is_ascii_digit(), "0");
            assert_eq!(shape(&our_time), shape(&their_time));
        }
        // Durations as the formatter writes f64s.
        for duration_ms in [1.0, 0.268498, 1e-7, 123456.789, 1.7976931348623157e308] {
            let line = ReviewLine {
                duration_ms,
                ..lines[0]
            };
            let (expected, _) = through_tracing(&line);
            let ours = line.to_bytes(SystemTime::now(), "blastwall_webhook::server");
            assert_eq!(
                split_timestamp(&String::from_utf8(ours).unwrap()).0,
                expected
            );
        }
    }

    #[test]
    fn timestamps_are_utc_with_microseconds() {
        let at = |secs: u64, nanos: u32| {
            let mut out = Vec::new();
            timestamp(&mut out, UNIX_EPOCH + Duration::new(secs, nanos));
            String::from_utf8(out).unwrap()
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            at(1_796_579_859, 261_358_999),
            "2026-12-06T17:57:39.261358Z"
        );
        assert_eq!(at(951_782_400, 1_000), "2000-02-29T00:00:00.000001Z");
        assert_eq!(
            at(1_735_689_599, 999_999_999),
            "2024-12-31T23:59:59.999999Z"
        );
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000000Z");
        assert_eq!(at(253_402_300_799, 0), "9999-12-31T23:59:59.000000Z");
        let mut out = Vec::new();
        timestamp(&mut out, UNIX_EPOCH - Duration::new(1, 500_000_000));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1969-12-31T23:59:58.500000Z"
        );
    }
}
