//! The text analyzer: words plus code-ish tokens. `snake_case_name`,
//! `CamelCase`, `file.rs`, `kebab-case` and `v1.2.3` are kept whole *and*
//! split into their parts, so both `file.rs` and `file` find `file.rs`.
//! CJK runs (written without spaces) become overlapping character pairs.
//! Lower-casing and English stemming follow (see `text.rs`).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

#[derive(Clone, Default)]
pub struct CodeTokenizer;

pub struct CodeTokenStream {
    tokens: Vec<Token>,
    idx: usize,
}

impl TokenStream for CodeTokenStream {
    fn advance(&mut self) -> bool {
        if self.idx < self.tokens.len() {
            self.idx += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.idx - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.idx - 1]
    }
}

impl Tokenizer for CodeTokenizer {
    type TokenStream<'a> = CodeTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> CodeTokenStream {
        let mut tokens = Vec::new();
        tokenize(text, &mut |from, to, s| {
            let position = tokens.last().map(|t: &Token| t.position).unwrap_or(0);
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text: s.to_string(),
                position_length: 1,
            });
        });
        // Assign positions: a compound and its parts share one position.
        let mut pos = 0usize;
        let mut last_end = usize::MAX;
        let mut first = true;
        for t in tokens.iter_mut() {
            if !first && t.offset_from >= last_end {
                pos += 1;
            }
            if first || t.offset_from >= last_end {
                last_end = t.offset_to;
            }
            first = false;
            t.position = pos;
        }
        CodeTokenStream { tokens, idx: 0 }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '+' | '#')
}

/// Han ideographs, kana and Hangul: scripts written without spaces between
/// words (or, for Korean, with particles attached), indexed as overlapping
/// character pairs so that any word inside a run can be found.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3005}'..='\u{3007}'      // 々 〆 〇 (iteration mark, closing mark, zero)
        | '\u{3040}'..='\u{30FF}'    // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}'    // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}'    // CJK Unified Ideographs
        | '\u{AC00}'..='\u{D7AF}'    // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'    // CJK Compatibility Ideographs
        | '\u{20000}'..='\u{2FA1F}') // Extensions B-F, compatibility supplement
}

/// A run of CJK characters as overlapping pairs (bigrams), each followed
/// by its first character (and the last pair by its second), so that a
/// one-character word (猫) is found as well as a longer one.
fn cjk_bigrams(text: &str, s: usize, e: usize, emit: &mut dyn FnMut(usize, usize, &str)) {
    let chars: Vec<(usize, char)> = text[s..e].char_indices().collect();
    if chars.len() == 1 {
        emit(s, e, &text[s..e]);
        return;
    }
    for (n, w) in chars.windows(2).enumerate() {
        let from = s + w[0].0;
        let mid = s + w[1].0;
        let to = mid + w[1].1.len_utf8();
        emit(from, to, &text[from..to]);
        emit(from, mid, &text[from..mid]);
        if n + 2 == chars.len() {
            emit(mid, to, &text[mid..to]);
        }
    }
}

/// `text` split into its CJK query terms (each run's character pairs, or
/// the character of a run of one) and the rest, with the runs blanked out.
/// The terms go into the query as they are: handed to a query parser, the
/// analyzer would turn one pair into a pair and its characters, a phrase.
pub fn split_cjk(text: &str) -> (Vec<String>, String) {
    let mut terms = Vec::new();
    let mut rest = String::with_capacity(text.len());
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, terms: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => terms.push(run[0].to_string()),
            _ => terms.extend(run.windows(2).map(|w| w.iter().collect::<String>())),
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut terms);
            rest.push(c);
        }
        if is_cjk(c) && rest.ends_with(|x: char| !x.is_whitespace()) {
            rest.push(' ');
        }
    }
    flush(&mut run, &mut terms);
    (terms, rest)
}

/// Calls `emit(from, to, text)` for each token: whole chunks, then parts;
/// CJK runs as character pairs.
pub fn tokenize(text: &str, emit: &mut dyn FnMut(usize, usize, &str)) {
    let mut start = None;
    // (start, end, is a CJK run)
    let mut chunks: Vec<(usize, usize, bool)> = Vec::new();
    let mut cjk_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let cjk = is_cjk(c);
        if !cjk && let Some(s) = cjk_start.take() {
            chunks.push((s, i, true));
        }
        if cjk {
            if let Some(s) = start.take() {
                chunks.push((s, i, false));
            }
            cjk_start.get_or_insert(i);
        } else if is_word_char(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            chunks.push((s, i, false));
        }
    }
    if let Some(s) = start {
        chunks.push((s, text.len(), false));
    }
    if let Some(s) = cjk_start {
        chunks.push((s, text.len(), true));
    }
    for (s, e, cjk) in chunks {
        if cjk {
            cjk_bigrams(text, s, e, emit);
            continue;
        }
        let raw = &text[s..e];
        // Trim punctuation at the edges ("cmake." "-flag" "C++" keeps its pluses).
        let lead = raw.len() - raw.trim_start_matches(['.', '-', '_', '#', '+']).len();
        let trimmed = raw[lead..].trim_end_matches(['.', '-', '_']);
        if trimmed.is_empty() {
            continue;
        }
        let (s, e) = (s + lead, s + lead + trimmed.len());
        let word = &text[s..e];
        let parts = split_parts(word);
        if parts.len() <= 1 {
            emit(s, e, word);
            continue;
        }
        emit(s, e, word);
        let numeric_compound = word
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'v');
        if numeric_compound {
            continue;
        }
        for (ps, pe) in parts {
            let p = &word[ps..pe];
            if p.chars().count() >= 2 && !p.chars().all(|c| c.is_ascii_digit()) {
                emit(s + ps, s + pe, p);
            }
        }
    }
}

/// Splits a compound on `_ . - + #` and camelCase humps.
fn split_parts(word: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut prev: Option<char> = None;
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    for (n, &(i, c)) in chars.iter().enumerate() {
        if matches!(c, '_' | '.' | '-' | '+' | '#') {
            if let Some(s) = start.take() {
                parts.push((s, i));
            }
            prev = None;
            continue;
        }
        let hump = match prev {
            Some(p) => {
                (p.is_lowercase() && c.is_uppercase())
                    || (p.is_uppercase()
                        && c.is_uppercase()
                        && chars.get(n + 1).is_some_and(|&(_, nx)| nx.is_lowercase()))
            }
            None => false,
        };
        if hump && let Some(s) = start.take() {
            parts.push((s, i));
        }
        start.get_or_insert(i);
        prev = Some(c);
    }
    if let Some(s) = start {
        parts.push((s, word.len()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokenize(s, &mut |_, _, t| v.push(t.to_string()));
        v
    }

    #[test]
    fn code_tokens_are_whole_and_split() {
        assert_eq!(
            toks("snake_case_name"),
            ["snake_case_name", "snake", "case", "name"]
        );
        assert_eq!(
            toks("CamelCase HTTPServer"),
            ["CamelCase", "Camel", "Case", "HTTPServer", "HTTP", "Server"]
        );
        assert_eq!(toks("see file.rs."), ["see", "file.rs", "file", "rs"]);
        assert_eq!(
            toks("bump to v1.2.3, then 2.0"),
            ["bump", "to", "v1.2.3", "then", "2.0"]
        );
        assert_eq!(toks("C++ and C# (a-b)"), ["C++", "and", "C#", "a-b"]);
        assert_eq!(toks("naïve café"), ["naïve", "café"]);
    }

    #[test]
    fn cjk_runs_become_character_pairs() {
        assert_eq!(
            toks("東京は大きい"),
            [
                "東京", "東", "京は", "京", "は大", "は", "大き", "大", "きい", "き", "い"
            ]
        );
        assert_eq!(toks("東京"), ["東京", "東", "京"]);
        assert_eq!(toks("猫"), ["猫"]);
        // The iteration mark belongs to its run.
        assert_eq!(toks("時々"), ["時々", "時", "々"]);
        // Mixed with Latin words and digits: each run on its own.
        assert_eq!(
            toks("mem の設定 v2"),
            ["mem", "の設", "の", "設定", "設", "定", "v2"]
        );
        assert_eq!(
            toks("서울은 크다"),
            ["서울", "서", "울은", "울", "은", "크다", "크", "다"]
        );
        assert_eq!(
            split_cjk("mem の設定 v2 猫"),
            (
                vec!["の設".to_string(), "設定".into(), "猫".into()],
                "mem  v2 ".to_string()
            )
        );
        assert_eq!(
            split_cjk("plain words"),
            (vec![], "plain words".to_string())
        );
    }

    #[test]
    fn parts_share_the_compound_position() {
        let mut t = CodeTokenizer;
        let mut s = t.token_stream("use llama_cpp now");
        let mut got = Vec::new();
        while s.advance() {
            got.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(
            got,
            [
                ("use".into(), 0),
                ("llama_cpp".into(), 1),
                ("llama".into(), 1),
                ("cpp".into(), 1),
                ("now".into(), 2)
            ]
        );
    }
}
