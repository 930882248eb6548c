//! Distillation: an input becomes atomic statements, each with the verbatim
//! quote of the input it came from. Splitting is deterministic (sentence
//! boundaries; a sentence opening with a third-person pronoun gets the
//! previous sentence's named subject); a model may propose statements too,
//! but every statement, whoever wrote it, must pass [`supported`] — a check
//! in code — or it is rejected and never stored.

use crate::text::{Analysis, stem, words_of};

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub text: String,
    /// Verbatim part of the input that says it.
    pub evidence: String,
}

/// Why a statement was rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub statement: Statement,
    pub why: String,
}

/// Whether the input should be split at all: plain prose of 2-12 sentences.
/// Markdown structure (lists, headings, code, quotes, tables) is kept whole:
/// a checklist or a procedure is one memory.
pub fn splittable(input: &str) -> bool {
    for line in input.lines() {
        let t = line.trim_start();
        if t.starts_with(['-', '*', '#', '>', '|', '`']) || t.starts_with("```") {
            return false;
        }
        if t.split_once(". ").is_some_and(|(n, _)| {
            !n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit())
        }) {
            return false;
        }
    }
    let n = sentences(input).len();
    (2..=12).contains(&n)
}

/// Sentences of plain text: a `.`, `!` or `?` followed by whitespace and an
/// upper-case letter or digit ends one, unless the word before is a short
/// abbreviation (`e.g.`, `Dr.`, `approx.`). Newlines between paragraphs end one too.
pub fn sentences(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in input.split("\n\n") {
        let chars: Vec<(usize, char)> = para.char_indices().collect();
        let mut start = 0;
        for (k, &(i, c)) in chars.iter().enumerate() {
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            let Some(&(_, next)) = chars.get(k + 1) else {
                continue;
            };
            if !next.is_whitespace() {
                continue;
            }
            let after = chars[k + 1..]
                .iter()
                .map(|(_, c)| *c)
                .find(|c| !c.is_whitespace());
            if !after.is_some_and(|a| a.is_uppercase() || a.is_ascii_digit()) {
                continue;
            }
            let before = &para[start..i];
            let last_word = before
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            if c == '.'
                && (last_word.contains('.')
                    || ["dr", "mr", "mrs", "ms", "st", "vs", "approx", "etc", "no"]
                        .contains(&last_word.to_lowercase().as_str()))
            {
                continue;
            }
            let s = para[start..=i].trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            start = i + c.len_utf8();
        }
        let rest = para[start..].trim();
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

const PRONOUNS: &[(&str, bool)] = &[
    ("she", false),
    ("he", false),
    ("they", false),
    ("her", true),
    ("his", true),
    ("their", true),
];

/// Splits an input into statements with evidence (deterministic).
pub fn split(input: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut last_name: Option<String> = None;
    for s in sentences(input) {
        let mut text = s.clone();
        let first = s.split_whitespace().next().unwrap_or("");
        let lower = first.to_lowercase();
        if let Some(&(_, possessive)) = PRONOUNS.iter().find(|(p, _)| *p == lower)
            && let Some(name) = &last_name
        {
            let rest = &s[first.len()..];
            text = if possessive {
                format!("{name}'s{rest}")
            } else {
                format!("{name}{rest}")
            };
        }
        let a = Analysis::new(&text);
        if let (Some(subj), Some(w)) = (&a.subject, a.words.first())
            && subj != "@user"
            && w.value
        {
            let raw = w.raw.strip_suffix("'s").unwrap_or(&w.raw).to_string();
            last_name = Some(raw);
        }
        out.push(Statement { text, evidence: s });
    }
    out
}

/// The check every stored statement passes: its evidence occurs verbatim
/// in the input (whitespace-insensitive), and the statement says nothing
/// the evidence does not — at least 80% of its content words are in the
/// quote, every number and name in it occurs in the quote or (for a
/// resolved pronoun) elsewhere in the input, and a negation in one is a
/// negation in the other.
pub fn supported(st: &Statement, input: &str) -> Result<(), String> {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let ev = squash(&st.evidence);
    if ev.is_empty() {
        return Err("empty evidence".into());
    }
    if !squash(input).contains(&ev) {
        return Err("the evidence is not a verbatim quote of the input".into());
    }
    let a = Analysis::new(&st.text);
    let q = Analysis::new(&st.evidence);
    let quote_stems = q.stems();
    let input_words: std::collections::BTreeSet<String> =
        words_of(input).iter().map(|w| stem(w)).collect();
    let stems = a.stems();
    if stems.is_empty() {
        return Err("the statement has no content words".into());
    }
    // A name resolved from a pronoun is not in the quote but is in the input.
    let values = a.values();
    let covered = stems
        .iter()
        .filter(|s| quote_stems.contains(*s) || (values.contains(*s) && input_words.contains(*s)))
        .count();
    if (covered as f32) < 0.8 * stems.len() as f32 {
        return Err(format!(
            "only {covered} of {} content words are in the evidence",
            stems.len()
        ));
    }
    for v in a.values() {
        if !quote_stems.contains(&v) && !input_words.contains(&v) {
            return Err(format!("`{v}` does not occur in the input"));
        }
    }
    if a.negated != q.negated {
        return Err("negation differs between statement and evidence".into());
    }
    Ok(())
}

/// The statements of an input that pass [`supported`], and those rejected.
pub fn distill(input: &str) -> (Vec<Statement>, Vec<Rejected>) {
    let candidates = if splittable(input) {
        split(input)
    } else {
        vec![Statement {
            text: input.trim().to_string(),
            evidence: input.trim().to_string(),
        }]
    };
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for st in candidates {
        match supported(&st, input) {
            Ok(()) => ok.push(st),
            Err(why) => bad.push(Rejected { statement: st, why }),
        }
    }
    (ok, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_and_resolves_pronouns() {
        let s = split("Alice moved to Paris in March. She started learning the cello.");
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].text, "Alice started learning the cello.");
        assert_eq!(s[1].evidence, "She started learning the cello.");
        for st in &s {
            supported(
                st,
                "Alice moved to Paris in March. She started learning the cello.",
            )
            .unwrap();
        }
    }

    #[test]
    fn keeps_lists_and_single_sentences_whole() {
        assert!(!splittable("Deploy checklist:\n- build\n- tag"));
        assert!(!splittable("Only one sentence here."));
        assert!(splittable("One fact here. Another fact there."));
        assert_eq!(
            sentences("Use e.g. cmake. Then run it."),
            ["Use e.g. cmake.", "Then run it."]
        );
    }

    #[test]
    fn unsupported_statements_are_rejected() {
        let input = "Alice lives in Berlin. She has a cat.";
        let bad = Statement {
            text: "Alice lives in Paris.".into(),
            evidence: "Alice lives in Berlin.".into(),
        };
        assert!(supported(&bad, input).is_err());
        let invented = Statement {
            text: "Alice has a cat.".into(),
            evidence: "Alice owns a dog.".into(),
        };
        assert!(
            supported(&invented, input)
                .unwrap_err()
                .contains("verbatim")
        );
        let neg = Statement {
            text: "Alice does not live in Berlin.".into(),
            evidence: "Alice lives in Berlin.".into(),
        };
        assert!(supported(&neg, input).is_err());
        let padded = Statement {
            text: "Alice lives in Berlin with her husband and two kids.".into(),
            evidence: "Alice lives in Berlin.".into(),
        };
        assert!(supported(&padded, input).is_err());
    }
}
