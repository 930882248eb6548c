//! Dates a query refers to, for time-aware recall (tier 3): absolute dates
//! (`on 3 June, 2023`, `May 25, 2023`, `in March 2023`) and expressions
//! relative to a reference day, the time of asking (`5 days ago`,
//! `yesterday`, `last Friday`, `the past weekend`, `in the last 3 months`,
//! `this month`). Each becomes an interval of days; candidates observed in
//! or near it gain a boost (`proximity`). Rule-based, English only: the
//! LongMemEval paper's time-aware query expansion does the same with an LLM.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use regex::Regex;
use std::sync::OnceLock;

/// A closed interval of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub lo: Date,
    pub hi: Date,
}

const MONTH: &str = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const COUNT: &str = r"(\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|couple of|several)";

/// 1-12 for a lower-case month name or its three-letter abbreviation.
pub(crate) fn month_number(s: &str) -> Option<i8> {
    let m = match s.get(..3)? {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(m)
}

fn count(s: &str) -> Option<i64> {
    let n = match s.split_whitespace().next()? {
        "a" | "an" | "one" => 1,
        "two" | "couple" => 2,
        "three" | "few" | "several" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        d => d.parse().ok()?,
    };
    Some(n)
}

/// Days per unit (months of 30 days, years of 365).
fn unit_days(u: &str) -> i64 {
    match u {
        "day" => 1,
        "week" => 7,
        "month" => 30,
        _ => 365,
    }
}

fn re(cell: &'static OnceLock<Regex>, pat: impl FnOnce() -> String) -> &'static Regex {
    cell.get_or_init(|| Regex::new(&pat()).expect("valid regex"))
}

fn days(d: Date, n: i64) -> Date {
    d.checked_add(n.days()).unwrap_or(d)
}

fn weekday_index(w: Weekday) -> i8 {
    w.to_monday_zero_offset()
}

/// The most recent `wd` strictly before `d`.
fn last_weekday(d: Date, wd: i8) -> Date {
    let mut x = days(d, -1);
    for _ in 0..7 {
        if weekday_index(x.weekday()) == wd {
            break;
        }
        x = days(x, -1);
    }
    x
}

fn span(lo: Date, hi: Date) -> Span {
    Span { lo, hi }
}

/// Whether lowercased `t` has a word every form below needs: a four-digit
/// year (absolute dates) or a relative-time word. Compiling the patterns
/// costs a few ms per process, which most queries then skip.
fn may_name_a_time(t: &str) -> bool {
    t.split(|c: char| !c.is_alphanumeric()).any(|w| {
        (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
            || matches!(
                w,
                "ago"
                    | "yesterday"
                    | "today"
                    | "tonight"
                    | "tomorrow"
                    | "last"
                    | "past"
                    | "previous"
                    | "this"
            )
    })
}

/// The day intervals `text` refers to; `today` (the reference day) resolves
/// relative expressions. Empty when the query names no time.
pub fn spans(text: &str, today: Date) -> Vec<Span> {
    static AGO: OnceLock<Regex> = OnceLock::new();
    static DAYWORD: OnceLock<Regex> = OnceLock::new();
    static LAST_N: OnceLock<Regex> = OnceLock::new();
    static LAST: OnceLock<Regex> = OnceLock::new();
    static THIS: OnceLock<Regex> = OnceLock::new();
    static DMY: OnceLock<Regex> = OnceLock::new();
    static MDY: OnceLock<Regex> = OnceLock::new();
    static MY: OnceLock<Regex> = OnceLock::new();
    let t = text.to_lowercase();
    let mut out = Vec::new();
    if !may_name_a_time(&t) {
        return out; // most queries: no regex is even compiled
    }
    // `5 days ago`, `four weeks ago`: that day, give or take a share of the unit.
    for c in re(&AGO, || {
        format!(r"\b{COUNT}\s+(day|week|month|year)s?\s+ago\b")
    })
    .captures_iter(&t)
    {
        let (Some(n), u) = (count(&c[1]), unit_days(&c[2])) else {
            continue;
        };
        let tol = match u {
            1 => 1,
            7 => 3,
            30 => 15,
            _ => 60,
        };
        let at = days(today, -n * u);
        out.push(span(days(at, -tol), days(at, tol)));
    }
    for c in re(&DAYWORD, || {
        r"\b(yesterday|today|tonight|tomorrow)\b".into()
    })
    .captures_iter(&t)
    {
        let d = match &c[1] {
            "yesterday" => days(today, -1),
            "tomorrow" => days(today, 1),
            _ => today,
        };
        out.push(span(d, d));
    }
    // `the last 3 months`, `past few weeks`: from then until now.
    for c in re(&LAST_N, || {
        format!(r"\b(?:last|past|previous)\s+{COUNT}\s+(day|week|month|year)s\b")
    })
    .captures_iter(&t)
    {
        let Some(n) = count(&c[1]) else { continue };
        out.push(span(days(today, -n * unit_days(&c[2])), today));
    }
    // `last week|month|year`: from the start of that period until now;
    // `last Friday`, `the past weekend`: those days.
    for c in re(&LAST, || {
        r"\b(?:last|past)\s+(week|month|year|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b".into()
    })
    .captures_iter(&t)
    {
        let s = match &c[1] {
            "week" => {
                let monday = days(today, -(weekday_index(today.weekday()) as i64));
                span(days(monday, -7), today)
            }
            "month" => {
                let first = today.first_of_month();
                span(days(first, -1).first_of_month(), today)
            }
            "year" => span(
                Date::new(today.year() - 1, 1, 1).unwrap_or(today),
                today,
            ),
            "weekend" => {
                let sunday = last_weekday(today, 6);
                span(days(sunday, -1), sunday)
            }
            wd => {
                let i = crate::text::WEEKDAYS
                    .iter()
                .position(|x| *x == wd)
                .unwrap_or(0) as i8;
                let d = last_weekday(today, i);
                span(d, d)
            }
        };
        out.push(s);
    }
    for c in re(&THIS, || r"\bthis\s+(week|month|year)\b".into()).captures_iter(&t) {
        let lo = match &c[1] {
            "week" => days(today, -(weekday_index(today.weekday()) as i64)),
            "month" => today.first_of_month(),
            _ => Date::new(today.year(), 1, 1).unwrap_or(today),
        };
        out.push(span(lo, today));
    }
    // Absolute dates: a day, or a whole month.
    let mut used: Vec<(usize, usize)> = Vec::new();
    for c in re(&DMY, || {
        format!(r"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+{MONTH}\.?,?\s+(\d{{4}})\b")
    })
    .captures_iter(&t)
    {
        let d = (|| Date::new(c[3].parse().ok()?, month_number(&c[2])?, c[1].parse().ok()?).ok())();
        if let Some(d) = d {
            let m = c.get(0).unwrap();
            used.push((m.start(), m.end()));
            out.push(span(d, d));
        }
    }
    for c in re(&MDY, || {
        format!(r"\b{MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
    })
    .captures_iter(&t)
    {
        let d = (|| Date::new(c[3].parse().ok()?, month_number(&c[1])?, c[2].parse().ok()?).ok())();
        if let Some(d) = d {
            let m = c.get(0).unwrap();
            used.push((m.start(), m.end()));
            out.push(span(d, d));
        }
    }
    for c in re(&MY, || format!(r"\b{MONTH}\.?,?\s+(\d{{4}})\b")).captures_iter(&t) {
        let m = c.get(0).unwrap();
        if used.iter().any(|(a, b)| *a <= m.start() && m.start() < *b) {
            continue;
        }
        let first = (|| Date::new(c[2].parse().ok()?, month_number(&c[1])?, 1).ok())();
        if let Some(first) = first {
            out.push(span(first, first.last_of_month()));
        }
    }
    out
}

/// How well a day fits the spans, 0 to 1: 1 from a span's start until
/// `after` days past its end (a conversation mentions an event on the day
/// or in the days after), then falling linearly to 0 over the span's
/// length (at least a day) on either side. The best span counts.
pub fn proximity(day: Date, spans: &[Span], after: i64) -> f32 {
    spans
        .iter()
        .map(|s| {
            let hi = days(s.hi, after);
            let width = (s.lo.until(hi).map_or(0, |d| d.get_days() as i64)).max(1) as f32;
            let dist = if day < s.lo {
                day.until(s.lo).map_or(0, |d| d.get_days() as i64)
            } else if day > hi {
                hi.until(day).map_or(0, |d| d.get_days() as i64)
            } else {
                0
            } as f32;
            (1.0 - dist / width).max(0.0)
        })
        .fold(0.0, f32::max)
}

/// The UTC day of a time in seconds since the epoch.
pub fn day_of(secs: i64) -> Option<Date> {
    let t = jiff::Timestamp::from_second(secs).ok()?;
    Some(t.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// [`spans`] for listing a time's entries (a query that names only a
/// time): "last week", "last month", "last year" are the previous
/// calendar period, not "since its start until today" (which suits
/// weighing hits, not listing them newest first: today's entries would
/// come before the week asked about).
pub fn listing_spans(text: &str, today: Date) -> Vec<Span> {
    static PREVIOUS: OnceLock<Regex> = OnceLock::new();
    let mut out = spans(text, today);
    let t = text.to_lowercase();
    for c in re(&PREVIOUS, || {
        r"\b(?:last|previous)\s+(week|month|year)\b".into()
    })
    .captures_iter(&t)
    {
        let (current, previous) = match &c[1] {
            "week" => {
                let monday = days(today, -(weekday_index(today.weekday()) as i64));
                (monday, days(monday, -7))
            }
            "month" => {
                let first = today.first_of_month();
                (first, days(first, -1).first_of_month())
            }
            _ => (
                Date::new(today.year(), 1, 1).unwrap_or(today),
                Date::new(today.year() - 1, 1, 1).unwrap_or(today),
            ),
        };
        out.retain(|s| !(s.lo == previous && s.hi == today));
        out.push(span(previous, days(current, -1)));
    }
    out
}

/// The first and last second (UTC) of the days of `s`.
pub fn secs_of(s: Span) -> Option<(i64, i64)> {
    let utc = jiff::tz::TimeZone::UTC;
    let lo = s.lo.to_zoned(utc.clone()).ok()?.timestamp().as_second();
    let hi = days(s.hi, 1).to_zoned(utc).ok()?.timestamp().as_second() - 1;
    Some((lo, hi))
}

/// Words that say when (or nothing at all) in a question about a time:
/// what is left of "what did I do yesterday?" or "what happened in the
/// last two weeks?" once they are gone is what it is about (nothing).
const TIME_OR_EMPTY: &[&str] = &[
    // time
    "yesterday",
    "today",
    "tonight",
    "tomorrow",
    "last",
    "past",
    "previous",
    "this",
    "next",
    "ago",
    "day",
    "days",
    "week",
    "weeks",
    "weekend",
    "weekends",
    "month",
    "months",
    "year",
    "years",
    "morning",
    "afternoon",
    "evening",
    "night",
    "earlier",
    "recently",
    "during",
    "since",
    "between",
    "until",
    "before",
    "after",
    "of",
    "on",
    "in",
    "at",
    "the",
    "a",
    "an",
    "few",
    "couple",
    "several",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "st",
    "nd",
    "rd",
    "th",
    // asking
    "what",
    "which",
    "did",
    "do",
    "does",
    "done",
    "doing",
    "was",
    "were",
    "is",
    "are",
    "i",
    "we",
    "me",
    "my",
    "our",
    "you",
    "anything",
    "something",
    "everything",
    "happen",
    "happened",
    "happening",
    "go",
    "went",
    "going",
    "get",
    "got",
    "new",
    "stuff",
    "thing",
    "things",
    "work",
    "worked",
    "working",
    "note",
    "notes",
    "noted",
    "write",
    "wrote",
    "written",
    "add",
    "added",
    "remember",
    "remembered",
    "memory",
    "memories",
    "log",
    "logged",
    "entries",
    "entry",
    "show",
    "list",
    "tell",
    "from",
    "about",
    "all",
    "have",
    "has",
    "had",
    "and",
    "or",
    "up",
    "to",
    "for",
    "there",
    "any",
    "been",
    "so",
    "far",
];

/// Whether `text` names a time and nothing else to look for ("what did I
/// do yesterday?", "notes from 3 December 2026"): recall then lists that
/// time's entries (`crate::recall`) instead of matching words.
pub fn only_a_time(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            TIME_OR_EMPTY.contains(&w)
                || crate::text::WEEKDAYS.contains(&w)
                || month_number(w).is_some_and(|_| {
                    w.len() == 3 || w == "sept" || crate::text::MONTHS.contains(&w)
                })
                || w.bytes().all(|b| b.is_ascii_digit())
                || ["st", "nd", "rd", "th"].iter().any(|s| {
                    w.strip_suffix(s)
                        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                })
        })
}

/// Whether the query asks about the user's own words: first person (`I`,
/// `my`, `me`) and no second person (`you` would mean the other party,
/// e.g. "what did you recommend").
pub fn first_person(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |set: &[&str]| words.iter().any(|w| set.contains(w));
    has(&["i", "my", "me", "mine", "myself"]) && !has(&["you", "your", "yours", "yourself"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_week_listed_is_the_previous_calendar_week() {
        // Thursday 2 April 2026.
        let today = d("2026-04-02");
        assert_eq!(
            listing_spans("what happened last week?", today),
            vec![Span {
                lo: d("2026-03-23"),
                hi: d("2026-03-29")
            }]
        );
        assert_eq!(
            listing_spans("notes from last month", today),
            vec![Span {
                lo: d("2026-03-01"),
                hi: d("2026-03-31")
            }]
        );
        // Other phrases as `spans` reads them.
        assert_eq!(listing_spans("yesterday", today), spans("yesterday", today));
    }

    #[test]
    fn only_a_time_is_a_query_with_nothing_else_to_look_for() {
        for q in [
            "what did I do yesterday?",
            "What happened on 9 March 2026",
            "notes from the 3rd of December",
            "last week",
        ] {
            assert!(only_a_time(q), "{q}");
        }
        for q in [
            "what did I decide about the billing database yesterday?",
            "東京",
            "東京 yesterday",
            "café 3rd",
            "postgres",
        ] {
            assert!(!only_a_time(q), "{q}");
        }
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn one(text: &str, today: &str) -> (String, String) {
        let v = spans(text, d(today));
        assert_eq!(v.len(), 1, "{text}: {v:?}");
        (v[0].lo.to_string(), v[0].hi.to_string())
    }

    #[test]
    fn relative_expressions() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        // 2023-03-20 is a Monday.
        assert_eq!(
            one("What did I do 5 days ago?", "2023-03-20"),
            s("2023-03-14", "2023-03-16")
        );
        assert_eq!(
            one("the milestone I mentioned four weeks ago", "2023-03-28"),
            s("2023-02-25", "2023-03-03")
        );
        assert_eq!(
            one("What did I buy yesterday", "2023-03-20"),
            s("2023-03-19", "2023-03-19")
        );
        assert_eq!(
            one("The review is tomorrow", "2023-03-20"),
            s("2023-03-21", "2023-03-21")
        );
        // 2023-04-05 is a Wednesday: last Friday is 2023-03-31.
        assert_eq!(
            one(
                "the artist I started to listen to last Friday",
                "2023-04-05"
            ),
            s("2023-03-31", "2023-03-31")
        );
        // 2023-03-21 is a Tuesday: the past weekend is 18-19 March.
        assert_eq!(
            one("Which bike did I fix the past weekend?", "2023-03-21"),
            s("2023-03-18", "2023-03-19")
        );
        assert_eq!(
            one("films I watched in the last 3 months", "2023-06-17"),
            s("2023-03-19", "2023-06-17")
        );
        assert_eq!(
            one("in the past few months", "2023-05-30"),
            s("2023-03-01", "2023-05-30")
        );
        assert_eq!(
            one("What did I complete last month?", "2023-05-30"),
            s("2023-04-01", "2023-05-30")
        );
        assert_eq!(
            one("eggs sold this month", "2023-05-30"),
            s("2023-05-01", "2023-05-30")
        );
        assert_eq!(
            one("camping this year", "2023-04-29"),
            s("2023-01-01", "2023-04-29")
        );
    }

    #[test]
    fn absolute_dates() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        let today = "2026-01-01";
        assert_eq!(
            one("Who did Maria have dinner with on May 3, 2023?", today),
            s("2023-05-03", "2023-05-03")
        );
        assert_eq!(
            one("What did Tim finish reading on 8th December, 2023?", today),
            s("2023-12-08", "2023-12-08")
        );
        assert_eq!(
            one("as mentioned on 3 June, 2023", today),
            s("2023-06-03", "2023-06-03")
        );
        assert_eq!(
            one("What did John attend in March 2023?", today),
            s("2023-03-01", "2023-03-31")
        );
        assert_eq!(
            one("a trip in Feb 2024", today),
            s("2024-02-01", "2024-02-29")
        );
    }

    #[test]
    fn no_time_no_spans() {
        let today = d("2023-05-30");
        for q in [
            "How many musical instruments do I currently own?",
            "How much faster did I finish the 5K compared to my previous year's time?",
            "What did Melanie paint recently?",
            "Where do I keep my old sneakers?",
        ] {
            assert!(spans(q, today).is_empty(), "{q}");
        }
    }

    #[test]
    fn proximity_is_one_inside_and_falls_off() {
        let sp = [Span {
            lo: d("2023-03-14"),
            hi: d("2023-03-16"),
        }];
        assert_eq!(proximity(d("2023-03-15"), &sp, 3), 1.0);
        // Up to three days after the span still counts fully.
        assert_eq!(proximity(d("2023-03-19"), &sp, 3), 1.0);
        // The window is 5 days long: a day before it scores 0.8.
        assert!((proximity(d("2023-03-13"), &sp, 3) - 0.8).abs() < 1e-6);
        assert_eq!(proximity(d("2023-01-01"), &sp, 3), 0.0);
        assert_eq!(proximity(d("2023-03-15"), &[], 3), 0.0);
    }

    #[test]
    fn first_person_questions() {
        assert!(first_person("Where do I currently keep my old sneakers?"));
        assert!(first_person("How many days ago did I'm... participate"));
        assert!(!first_person("I was wondering what you recommended"));
        assert!(!first_person("What did Melanie paint recently?"));
        assert!(!first_person("Can you suggest accessories for my camera?"));
    }
}
