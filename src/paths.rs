//! Path rules of the Context Tree: lowercase slug segments, at most
//! domain/topic/subtopic/entry, nothing hidden, nothing reserved. Anything
//! else is refused with a reason — never normalised into another place.

use anyhow::{Result, bail};
use std::fmt;

pub const MAX_SEGMENT: usize = 64;
pub const ARCHIVE_DIR: &str = "_archive";
pub const OVERVIEW_FILE: &str = "_overview.md";

/// The topic used when nothing better is known.
pub const DEFAULT_TOPIC: &str = "general/notes";

/// Names that may not be used as a segment even though they are slugs.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "lpt1", "mem", "index", "state",
];

/// Why a segment is not a valid slug, or None when it is.
pub fn segment_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("empty path segment".into());
    }
    if s == "." || s == ".." {
        return Some(format!("`{s}` is not allowed (no relative path segments)"));
    }
    if s.starts_with('.') {
        return Some(format!("`{s}` is a hidden name"));
    }
    if s.starts_with('_') {
        return Some(format!(
            "`{s}` is reserved (names starting with `_` belong to mem)"
        ));
    }
    if s.len() > MAX_SEGMENT {
        return Some(format!(
            "`{}…` is longer than {MAX_SEGMENT} characters",
            s.chars().take(20).collect::<String>()
        ));
    }
    if RESERVED.contains(&s) {
        return Some(format!("`{s}` is a reserved name"));
    }
    let mut chars = s.chars();
    let first = chars.next().unwrap();
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Some(format!("`{s}` must start with a lowercase letter or digit"));
    }
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "`{s}` contains `{bad}`; use lowercase letters, digits and `-`"
        ));
    }
    None
}

/// A validated topic location: domain/topic[/subtopic].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPath(Vec<String>);

impl TopicPath {
    /// Parses `domain/topic[/subtopic]` as typed by a user (`--at`).
    pub fn parse(s: &str) -> Result<Self> {
        let segs = parse_segments(s, "--at")?;
        if segs.len() < 2 || segs.len() > 3 {
            bail!(
                "`{s}` is not a topic: expected domain/topic or domain/topic/subtopic (e.g. engineering/build)"
            );
        }
        Ok(Self(segs))
    }
    pub fn from_segments(segs: Vec<String>) -> Self {
        Self(segs)
    }
    pub fn segments(&self) -> &[String] {
        &self.0
    }
    pub fn domain(&self) -> &str {
        &self.0[0]
    }
    pub fn topic(&self) -> &str {
        &self.0[1]
    }
    pub fn join(&self, slug: &str) -> EntryPath {
        let mut segs = self.0.clone();
        segs.push(slug.to_string());
        EntryPath(segs)
    }
}

impl fmt::Display for TopicPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

/// A validated entry location: domain/topic[/subtopic]/slug (no `.md`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryPath(Vec<String>);

impl EntryPath {
    /// Parses `domain/topic[/subtopic]/slug[.md]`.
    pub fn parse(s: &str) -> Result<Self> {
        let trimmed = s.strip_suffix(".md").unwrap_or(s);
        let segs = parse_segments(trimmed, "entry path")?;
        if segs.len() < 3 || segs.len() > 4 {
            bail!("`{s}` is not an entry path: expected domain/topic[/subtopic]/entry");
        }
        Ok(Self(segs))
    }
    /// domain, topic, [subtopic,] slug.
    pub fn segments(&self) -> &[String] {
        &self.0
    }
    pub fn topic(&self) -> TopicPath {
        TopicPath(self.0[..self.0.len() - 1].to_vec())
    }
    pub fn slug(&self) -> &str {
        self.0.last().unwrap()
    }
    pub fn domain(&self) -> &str {
        &self.0[0]
    }
    /// Relative file path inside the tree, with `.md`.
    pub fn rel_file(&self) -> String {
        format!("{}.md", self.0.join("/"))
    }
    /// Relative file path of this entry inside `_archive/`.
    pub fn archived_rel_file(&self) -> String {
        format!("{ARCHIVE_DIR}/{}", self.rel_file())
    }
}

impl fmt::Display for EntryPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

fn parse_segments(s: &str, what: &str) -> Result<Vec<String>> {
    if s.starts_with('/') || s.starts_with('\\') || (s.len() > 1 && s.as_bytes()[1] == b':') {
        bail!("{what} `{s}` is absolute; give a path inside the tree such as engineering/build");
    }
    if s.contains('\\') {
        bail!("{what} `{s}` contains `\\`; separate segments with `/`");
    }
    let segs: Vec<&str> = s.split('/').collect();
    for seg in &segs {
        if let Some(p) = segment_problem(seg) {
            bail!("{what} `{s}` is refused: {p}");
        }
    }
    Ok(segs.into_iter().map(String::from).collect())
}

/// Turns free text into a slug of at most `max` chars (may be empty).
pub fn slugify(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.to_lowercase().chars() {
        let c = match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'é' | 'è' | 'ê' => 'e',
            'à' | 'á' | 'â' => 'a',
            'ß' => 's',
            'ç' => 'c',
            'ñ' => 'n',
            'ó' | 'ô' => 'o',
            'í' | 'î' => 'i',
            'ú' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
        if out.len() >= max {
            break;
        }
    }
    out.truncate(max);
    while out.ends_with('-') {
        out.pop();
    }
    while out.starts_with('-') || out.starts_with('_') {
        out.remove(0);
    }
    out
}

/// As [`slugify`], but a slug that must be cut ends at a word boundary
/// (`…-planner`, not `…-planner-vacu`) unless that would leave less than a
/// third of `max`.
pub fn slugify_words(text: &str, max: usize) -> String {
    let full = slugify(text, usize::MAX);
    if full.len() <= max {
        return full;
    }
    let mut cut = &full[..max];
    if full.as_bytes()[max] != b'-'
        && let Some(i) = cut.rfind('-')
        && i >= max / 3
    {
        cut = &cut[..i];
    }
    cut.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `fuzz::slugs_and_paths…`: a long segment with a multibyte
    /// character at byte 20 panicked while naming the problem.
    #[test]
    fn a_long_segment_with_wide_characters_is_refused_without_a_panic() {
        let seg = format!("{}\u{f291}{}", "a".repeat(19), "b".repeat(200));
        let p = segment_problem(&seg).unwrap();
        assert!(p.contains("longer than"), "{p}");
        assert!(EntryPath::parse(&format!("x/y/{seg}")).is_err());
    }

    #[test]
    fn long_titles_are_cut_between_words() {
        let t = "Pack the sunscreen before the trip, says the holiday planner vacuum";
        assert_eq!(
            slugify_words(t, 48),
            "pack-the-sunscreen-before-the-trip-says-the"
        );
        assert_eq!(slugify_words("short title", 48), "short-title");
        // One long word is cut where it must be.
        assert_eq!(slugify_words(&"a".repeat(60), 48), "a".repeat(48));
        // A cut right before a dash keeps the whole last word.
        assert_eq!(slugify_words("abcd efgh", 4), "abcd");
    }

    #[test]
    fn hostile_segments_are_refused() {
        for bad in [
            "../x", "/etc", ".git/x", "a/../b", "a/./b", "A/b", "a b/c", "a/_x", "a//b", "C:/x",
            "a\\b/c", "a/b/c/d",
        ] {
            assert!(TopicPath::parse(bad).is_err(), "{bad} accepted");
        }
        assert!(TopicPath::parse("engineering/build").is_ok());
        assert!(TopicPath::parse("engineering/build/linux").is_ok());
        assert!(EntryPath::parse("eng/build/x.md").is_ok());
        assert!(EntryPath::parse("eng/build").is_err());
        assert!(TopicPath::parse(&format!("a/{}", "x".repeat(65))).is_err());
    }

    #[test]
    fn slugify_makes_valid_segments() {
        assert_eq!(
            slugify("Llama.cpp builds need CMake & libclang!", 64),
            "llama-cpp-builds-need-cmake-libclang"
        );
        assert_eq!(slugify("---", 64), "");
        let s = slugify(&"word ".repeat(40), 64);
        assert!(s.len() <= 64 && segment_problem(&s).is_none(), "{s}");
        assert_eq!(slugify("Über Straße", 64), "uber-strase");
    }
}
