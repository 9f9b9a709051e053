//! Durations as written on command lines: `8s`, `500ms`, `2m`, or a bare
//! number of seconds. Shared by `blastwall audit` and the webhook so that a
//! flag reads the same way wherever it appears.

use std::time::Duration;

/// Parses `text` and checks it lies within `min..=max` (both as written in
/// the error, e.g. `1ms` and `60m`).
pub fn parse(text: &str, min: Duration, max: Duration) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 30s or 500ms"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("`{text}`: the unit must be ms, s or m")),
    };
    let duration = Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("`{text}` is not a duration such as 30s or 500ms"))?;
    if duration < min || duration > max {
        return Err(format!(
            "`{text}` is out of range ({} to {})",
            show(min),
            show(max)
        ));
    }
    Ok(duration)
}

/// The shortest of `Nm`, `Ns` or `Nms` that states `d` exactly.
fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn units_and_bare_seconds() {
        let p = |t| parse(t, Duration::ZERO, HOUR);
        assert_eq!(p("8s"), Ok(Duration::from_secs(8)));
        assert_eq!(p("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(p("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(p("3"), Ok(Duration::from_secs(3)));
        assert_eq!(p("1.5s"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn bad_text_and_range_are_errors_that_say_why() {
        let p = |t| parse(t, Duration::from_millis(1), HOUR);
        assert!(p("fast").unwrap_err().contains("not a duration"));
        assert!(p("3h").unwrap_err().contains("unit must be"));
        assert_eq!(p("0").unwrap_err(), "`0` is out of range (1ms to 60m)");
        assert!(p("61m").unwrap_err().contains("out of range"));
        assert!(p("1e400").is_err());
    }
}
