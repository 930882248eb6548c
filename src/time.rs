//! The clock. `MEM_NOW` (RFC 3339) fixes it for tests and reproducible runs.

use anyhow::{Context, Result};
use jiff::{Timestamp, ToSpan};

/// Current time, truncated to whole seconds.
pub fn now() -> Timestamp {
    if let Ok(s) = std::env::var("MEM_NOW")
        && let Ok(t) = parse(&s)
    {
        return t;
    }
    let t = Timestamp::now();
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// RFC 3339 with second precision, e.g. `2026-11-20T10:31:00Z`.
pub fn format(t: Timestamp) -> String {
    let t = Timestamp::from_second(t.as_second()).unwrap_or(t);
    t.to_string()
}

/// [`format`] of seconds since the epoch (the epoch itself when out of
/// range).
pub fn format_secs(secs: i64) -> String {
    format(Timestamp::from_second(secs).unwrap_or_default())
}

/// [`parse`] to seconds since the epoch; `None` when it is not a date.
pub fn secs(s: &str) -> Option<i64> {
    parse(s).ok().map(|t| t.as_second())
}

/// An optional date argument parsed by `parse` (one of this module's
/// parsers), as seconds since the epoch.
pub fn opt_secs(s: Option<&str>, parse: fn(&str) -> Result<Timestamp>) -> Result<Option<i64>> {
    Ok(s.map(parse).transpose()?.map(|t| t.as_second()))
}

/// Parses an RFC 3339 timestamp, a plain date (`2026-11-20`, midnight UTC),
/// or a civil date-time without offset (`2026-11-20 10:31`, taken as UTC).
pub fn parse(s: &str) -> Result<Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    // A date and time without a zone (as other tools write `date:`) is
    // UTC; tried before a plain date, which would take the date alone.
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return Ok(dt.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Ok(d.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp());
    }
    anyhow::bail!(
        "`{s}` is not a date: use RFC 3339 (2026-11-20T10:31:00Z), a date (2026-11-20) or, for add's --observed and recall's --since/--until, an age (7d, 2w, 3m, 1y)"
    )
}

/// Parses a date bound for filters: an absolute date or a relative age
/// such as `7d`, `2w`, `3m` (months of 30 days), `1y`.
pub fn parse_bound(s: &str) -> Result<Timestamp> {
    let s = s.trim();
    if let Some(num) = s.strip_suffix(['d', 'w', 'm', 'y'])
        && let Ok(n) = num.parse::<i64>()
    {
        let days = match s.chars().last().unwrap() {
            'd' => n,
            'w' => n * 7,
            'm' => n * 30,
            _ => n * 365,
        };
        return now()
            .checked_sub((days * 24).hours())
            .context("date out of range");
    }
    parse(s)
}

/// An upper date bound: as [`parse_bound`], except that a plain date
/// (`2026-11-20`) takes in the whole day, up to its last second.
pub fn parse_until(s: &str) -> Result<Timestamp> {
    let t = parse_bound(s)?;
    // jiff also reads the date of "2026-11-20T10:00", which has a time.
    if s.trim().parse::<jiff::civil::Date>().is_ok() && !s.trim().contains([':', 'T', 't', ' ']) {
        return t
            .checked_add(24.hours())
            .and_then(|t| t.checked_sub(1.second()))
            .context("date out of range");
    }
    Ok(t)
}

/// `90s`, `5m`, `1h` or plain seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, unit) = t.split_at(
        t.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(t.len()),
    );
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 90s, 5m or 1h"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("{s:?} is not a duration such as 90s, 5m or 1h")),
    };
    if !(secs > 0.0 && secs.is_finite()) {
        return Err(format!("{s:?}: the time must be more than zero"));
    }
    std::time::Duration::try_from_secs_f64(secs).map_err(|_| format!("{s:?}: too long a time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_a_zone_keeps_its_time() {
        let secs = |s: &str| parse(s).unwrap().as_second();
        assert_eq!(
            secs("2023-05-08T13:56:00") - secs("2023-05-08"),
            13 * 3600 + 56 * 60
        );
        assert_eq!(secs("2023-05-08T13:56:00"), secs("2023-05-08T13:56:00Z"));
        // Only a plain date takes in its whole day as an upper bound.
        let until = |s: &str| parse_until(s).unwrap().as_second();
        assert_eq!(until("2023-05-08"), secs("2023-05-08T23:59:59Z"));
        assert_eq!(until("2023-05-08T13:56:00"), secs("2023-05-08T13:56:00Z"));
    }
}
