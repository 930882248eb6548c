//! The text analyzer: words plus code-ish tokens. `snake_case_name`,
//! `CamelCase`, `file.rs`, `kebab-case` and `v1.2.3` are kept whole *and*
//! split into their parts, so both `file.rs` and `file` find `file.rs`.
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

/// Calls `emit(from, to, text)` for each token: whole chunks, then parts.
pub fn tokenize(text: &str, emit: &mut dyn FnMut(usize, usize, &str)) {
    let mut start = None;
    let mut chunks = Vec::new();
    for (i, c) in text.char_indices() {
        if is_word_char(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            chunks.push((s, i));
        }
    }
    if let Some(s) = start {
        chunks.push((s, text.len()));
    }
    for (s, e) in chunks {
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
