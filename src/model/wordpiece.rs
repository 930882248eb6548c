//! WordPiece tokenization of a BERT-style GGUF vocabulary, in Rust.
//!
//! llama.cpp spends most of an embedding model's load (~40 of ~60 ms for
//! all-MiniLM-L6-v2) setting up its vocabulary: every one of the 30,522
//! tokens is compared with some 70 special-token spellings of other model
//! families, and the token list is printed into a log string nobody reads.
//! A query that needs the embedder pays that in every process. So for a
//! `bert` (WordPiece) vocabulary mem tokenizes itself, with the rules of
//! llama.cpp's WPM tokenizer (the vectors stay the same, see
//! tests/models.rs), and hands llama.cpp a copy of the model without the
//! vocabulary (`tokenizer.ggml.model = no_vocab`, see
//! [`crate::model::gguf::write_no_vocab_copy`]), which it loads without
//! that setup.
//!
//! The rules, as llama.cpp applies them: each character is replaced by the
//! first character of its canonical decomposition (when accents are
//! stripped), whitespace ends a word, NUL, U+FFFD and control/format
//! characters are dropped, combining marks are dropped (accents), the rest
//! is lower-cased (simple mapping); punctuation, ASCII symbols and CJK
//! ideographs are words of their own. A word is matched greedily, longest
//! piece first, against `▁word-initial` and `continuation` pieces (the
//! `##` of `vocab.txt` is how llama.cpp's form spells a continuation's
//! absence of `▁`); a word with an unmatched rest becomes `[UNK]`.

use crate::model::gguf::{Header, Value};
use anyhow::{Context, Result};
use std::collections::HashMap;
use unicode_general_category::{GeneralCategory as G, get_general_category};

/// Token type llama.cpp treats as text to split out even when special
/// tokens are not parsed; a vocabulary with one is left to llama.cpp.
const TOKEN_TYPE_USER_DEFINED: i32 = 4;
/// Tokens llama.cpp marks user-defined by their text (a gpt-oss workaround).
const FORCED_USER_DEFINED: [&str; 4] = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"];

pub struct WordPiece {
    ids: HashMap<String, i32>,
    /// Longest piece in bytes.
    max_len: usize,
    cls: i32,
    sep: i32,
    unk: i32,
    lowercase: bool,
    strip_accents: bool,
    n_tokens: usize,
}

impl WordPiece {
    /// The tokenizer of a GGUF header read with its arrays, when its
    /// vocabulary is WordPiece (`bert`) and holds nothing this
    /// implementation does not cover; `None` leaves tokenization to
    /// llama.cpp.
    pub fn from_header(h: &Header) -> Result<Option<Self>> {
        if h.get("tokenizer.ggml.model").and_then(Value::as_str) != Some("bert") {
            return Ok(None);
        }
        let Some(Value::Array(_, items)) = h.get("tokenizer.ggml.tokens") else {
            return Ok(None);
        };
        if let Some(Value::Array(_, types)) = h.get("tokenizer.ggml.token_type")
            && types
                .iter()
                .any(|t| matches!(t, Value::I32(TOKEN_TYPE_USER_DEFINED)))
        {
            return Ok(None);
        }
        let n = items.len();
        let mut ids = HashMap::with_capacity(n);
        let mut max_len = 0;
        for (i, t) in items.iter().enumerate() {
            let t = t
                .as_str()
                .context("tokenizer.ggml.tokens holds a non-string")?;
            if FORCED_USER_DEFINED.contains(&t) {
                return Ok(None);
            }
            // llama.cpp names an empty token `[EMPTY_i]`; no text matches it.
            if t.is_empty() {
                continue;
            }
            max_len = max_len.max(t.len());
            // llama.cpp aborts on duplicates; keep the first here.
            ids.entry(t.to_string()).or_insert(i as i32);
        }
        // llama.cpp's defaults for a `bert` vocabulary, overridden by the
        // file's keys when they are in range.
        let id = |key: &str, default: i32| {
            h.get(key)
                .and_then(Value::as_u64)
                .filter(|&v| (v as usize) < n)
                .map_or(default, |v| v as i32)
        };
        let flag = |key: &str| match h.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        };
        let lowercase = flag("tokenizer.ggml.normalizer.lowercase").unwrap_or(true);
        let strip_accents = flag("tokenizer.ggml.normalizer.strip_accents").unwrap_or(lowercase);
        let wp = Self {
            ids,
            max_len,
            cls: id("tokenizer.ggml.bos_token_id", 101),
            sep: id("tokenizer.ggml.seperator_token_id", 102),
            unk: id("tokenizer.ggml.unknown_token_id", 100),
            lowercase,
            strip_accents,
            n_tokens: n,
        };
        if [wp.cls, wp.sep, wp.unk].iter().any(|&t| t as usize >= n) {
            return Ok(None);
        }
        Ok(Some(wp))
    }

    pub fn n_tokens(&self) -> usize {
        self.n_tokens
    }

    /// Token ids of `text` framed by `[CLS]` … `[SEP]`.
    pub fn tokenize(&self, text: &str) -> Vec<i32> {
        let mut out = vec![self.cls];
        for word in self.words(text) {
            self.pieces(&word, &mut out);
        }
        out.push(self.sep);
        out
    }

    /// Normalises `text` and splits it into words.
    fn words(&self, text: &str) -> Vec<String> {
        let mut words = vec![String::new()];
        for c in text.chars() {
            let c = if self.strip_accents { nfd_first(c) } else { c };
            if is_whitespace(c) {
                if !words.last().expect("non-empty").is_empty() {
                    words.push(String::new());
                }
                continue;
            }
            let cat = get_general_category(c);
            if c == '\0' || c == '\u{FFFD}' || is_control(cat) {
                continue;
            }
            if self.strip_accents && is_mark(cat) {
                continue;
            }
            let lc = if self.lowercase {
                simple_lowercase(c)
            } else {
                c
            };
            let last = words.last_mut().expect("non-empty");
            if is_punctuation(cat) || ((c as u32) < 0x7F && is_symbol(cat)) || is_cjk(c) {
                if last.is_empty() {
                    last.push(lc);
                } else {
                    words.push(lc.to_string());
                }
                words.push(String::new());
            } else {
                last.push(lc);
            }
        }
        if words.last().is_some_and(String::is_empty) {
            words.pop();
        }
        words
    }

    /// Greedy longest-match pieces of one word; `[UNK]` when a rest of it
    /// matches no piece.
    fn pieces(&self, word: &str, out: &mut Vec<i32>) {
        if word.is_empty() {
            return;
        }
        let w = format!("\u{2581}{word}");
        let n = w.len();
        let start = out.len();
        let mut i = 0;
        while i < n {
            let mut j = n.min(i + self.max_len + 1);
            let mut matched = false;
            while j > i {
                if w.is_char_boundary(j)
                    && let Some(&id) = self.ids.get(&w[i..j])
                {
                    out.push(id);
                    i = j;
                    matched = true;
                    break;
                }
                j -= 1;
            }
            if !matched {
                out.truncate(start);
                break;
            }
        }
        if out.len() == start {
            out.push(self.unk);
        }
    }
}

/// The first character of `c`'s canonical decomposition (llama.cpp maps
/// each character to one: `é` → `e`, a Hangul syllable → its first jamo).
fn nfd_first(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    let mut first = None;
    unicode_normalization::char::decompose_canonical(c, |d| {
        first.get_or_insert(d);
    });
    first.unwrap_or(c)
}

/// llama.cpp's whitespace set (`\s` in its regexes).
fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{09}'..='\u{0D}'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// `\p{C}` as llama.cpp's tables have it: control, format, surrogate and
/// private-use characters (unassigned ones are not).
fn is_control(cat: G) -> bool {
    matches!(cat, G::Control | G::Format | G::Surrogate | G::PrivateUse)
}

fn is_mark(cat: G) -> bool {
    matches!(cat, G::NonspacingMark | G::SpacingMark | G::EnclosingMark)
}

fn is_punctuation(cat: G) -> bool {
    matches!(
        cat,
        G::ConnectorPunctuation
            | G::DashPunctuation
            | G::OpenPunctuation
            | G::ClosePunctuation
            | G::InitialPunctuation
            | G::FinalPunctuation
            | G::OtherPunctuation
    )
}

fn is_symbol(cat: G) -> bool {
    matches!(
        cat,
        G::MathSymbol | G::CurrencySymbol | G::ModifierSymbol | G::OtherSymbol
    )
}

/// The CJK ranges BERT's tokenizer splits into single characters (with the
/// range start the reference Rust tokenizer uses, 0x2B920).
fn is_cjk(c: char) -> bool {
    matches!(
        c as u32,
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

/// The simple (one-character) lower-case mapping.
fn simple_lowercase(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(one), None) => one,
        // U+0130 (İ) is the only character with a longer full mapping
        // ("i̇"); its simple mapping is "i".
        (Some(first), Some(_)) => first,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gguf::ValueType;

    fn vocab(tokens: &[&str], lowercase: Option<bool>) -> WordPiece {
        let mut kv = vocab_kv(tokens);
        if let Some(l) = lowercase {
            kv.push((
                "tokenizer.ggml.normalizer.lowercase".to_string(),
                Value::Bool(l),
            ));
        }
        WordPiece::from_header(&header(kv))
            .unwrap()
            .expect("a bert vocabulary")
    }

    const TOKENS: &[&str] = &[
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "▁un",
        "aff",
        "able",
        "▁the",
        "▁cafe",
        "▁,",
        "▁!",
        "▁a",
        "▁.",
        "▁ab",
        "b",
        "▁中",
        "▁文",
        "▁$",
        "▁resume",
        "▁ᄀ",
    ];

    #[test]
    fn greedy_longest_match_with_continuations() {
        let wp = vocab(TOKENS, None);
        // un + aff + able; "the" whole
        assert_eq!(wp.tokenize("Unaffable the"), vec![1, 3, 4, 5, 6, 2]);
        // longest first: "ab" + "b", not "a" + ...
        assert_eq!(wp.tokenize("abb"), vec![1, 12, 13, 2]);
    }

    #[test]
    fn an_unmatched_rest_makes_the_whole_word_unknown() {
        let wp = vocab(TOKENS, None);
        // "unaffablex": un aff able, then "x" matches nothing -> one [UNK]
        assert_eq!(wp.tokenize("unaffablex the"), vec![1, 0, 6, 2]);
    }

    #[test]
    fn punctuation_cjk_and_ascii_symbols_are_words_of_their_own() {
        let wp = vocab(TOKENS, None);
        assert_eq!(wp.tokenize("the,the!"), vec![1, 6, 8, 6, 9, 2]);
        assert_eq!(wp.tokenize("中文"), vec![1, 14, 15, 2]);
        assert_eq!(wp.tokenize("$the"), vec![1, 16, 6, 2]);
    }

    #[test]
    fn accents_are_stripped_and_case_folded() {
        let wp = vocab(TOKENS, None);
        // precomposed and combining forms alike
        assert_eq!(wp.tokenize("CAFÉ"), vec![1, 7, 2]);
        assert_eq!(wp.tokenize("cafe\u{301}"), vec![1, 7, 2]);
        assert_eq!(wp.tokenize("Résumé"), vec![1, 17, 2]);
        // a Hangul syllable maps to its first jamo, as llama.cpp's table does
        assert_eq!(wp.tokenize("가"), vec![1, 18, 2]);
        // İ lower-cases to plain i (simple mapping); no "i" piece -> [UNK]
        assert_eq!(simple_lowercase('\u{130}'), 'i');
    }

    #[test]
    fn whitespace_and_control_characters() {
        let wp = vocab(TOKENS, None);
        // unicode spaces split, zero-width/format and control characters vanish
        assert_eq!(
            wp.tokenize("the\u{3000}the\u{200B}\u{0}\u{7}"),
            vec![1, 6, 6, 2]
        );
        assert_eq!(wp.tokenize(""), vec![1, 2]);
        assert_eq!(wp.tokenize("  \n\t "), vec![1, 2]);
    }

    #[test]
    fn case_is_kept_when_the_vocabulary_says_so() {
        let wp = vocab(TOKENS, Some(false));
        assert_eq!(wp.tokenize("The"), vec![1, 0, 2]);
        // accents are kept too (strip_accents follows lowercase)
        assert_eq!(wp.tokenize("café"), vec![1, 0, 2]);
    }

    #[test]
    fn vocabularies_it_does_not_cover_are_left_to_llama() {
        let h = header(vec![(
            "tokenizer.ggml.model".to_string(),
            Value::Str("gpt2".into()),
        )]);
        assert!(WordPiece::from_header(&h).unwrap().is_none());
        let mut kv = vocab_kv(&["[UNK]", "[CLS]", "[SEP]", "▁x"]);
        kv.push((
            "tokenizer.ggml.token_type".to_string(),
            Value::Array(
                ValueType::I32,
                vec![Value::I32(3), Value::I32(3), Value::I32(3), Value::I32(4)],
            ),
        ));
        assert!(WordPiece::from_header(&header(kv)).unwrap().is_none());
    }

    /// A header with these keys and no tensors.
    fn header(kv: Vec<(String, Value)>) -> Header {
        Header {
            version: 3,
            kv,
            tensors: Vec::new(),
            alignment: 32,
            data_offset: 0,
        }
    }

    fn vocab_kv(tokens: &[&str]) -> Vec<(String, Value)> {
        vec![
            (
                "tokenizer.ggml.model".to_string(),
                Value::Str("bert".into()),
            ),
            (
                "tokenizer.ggml.tokens".to_string(),
                Value::Array(
                    ValueType::String,
                    tokens.iter().map(|t| Value::Str(t.to_string())).collect(),
                ),
            ),
            ("tokenizer.ggml.bos_token_id".to_string(), Value::U32(1)),
            (
                "tokenizer.ggml.seperator_token_id".to_string(),
                Value::U32(2),
            ),
            ("tokenizer.ggml.unknown_token_id".to_string(), Value::U32(0)),
        ]
    }
}
