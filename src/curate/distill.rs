//! Distillation: an input becomes atomic statements, each with the verbatim
//! quote of the input it came from. Splitting is deterministic (sentence
//! boundaries; a sentence opening with a third-person pronoun gets the
//! previous sentence's named subject); a model may propose statements too,
//! but every statement, whoever wrote it, must pass [`supported`] — a check
//! in code — or it is rejected and never stored.

use crate::text::Analysis;

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
    // A title line, then a blank line (a commit message, a note with a
    // subject line): what follows is about the title, one memory.
    let mut lines = input.trim_start().lines();
    if let (Some(first), Some(second)) = (lines.next(), lines.next())
        && second.trim().is_empty()
        && !first.trim_end().ends_with(['.', '!', '?', ';', ','])
        && first.split_whitespace().count() <= 12
    {
        return false;
    }
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
    let s = sentences(input);
    (2..=12).contains(&s.len()) || (s.len() == 1 && clauses(&s[0]).len() >= 2)
}

/// Personal pronouns that open a clause of their own ("…, she bought a flat").
const CLAUSE_PRONOUNS: &[&str] = &["i", "he", "she", "they", "we"];

/// Verbs (third person) that open a clause sharing the sentence's subject
/// ("Diego lives in Valencia and *works* as an architect").
const CLAUSE_VERBS: &[&str] = &[
    "is", "was", "has", "had", "works", "lives", "likes", "loves", "prefers", "plays", "uses",
    "runs", "needs", "owns", "speaks", "drives", "hates", "wants", "takes", "started", "moved",
    "bought", "joined", "left", "switched", "adopted", "got", "became", "studies", "teaches",
    "leads", "manages", "writes", "reads", "swims", "cooks", "keeps", "goes", "requires", "gets",
    "sees", "visits", "eats", "drinks", "costs",
];

/// [`CLAUSE_VERBS`] in their plain form, after "I" or "we".
const PLAIN_VERBS: &[&str] = &[
    "work", "live", "like", "love", "prefer", "play", "use", "run", "need", "own", "speak",
    "drive", "hate", "want", "take", "study", "teach", "lead", "manage", "write", "read", "swim",
    "cook", "keep", "go", "get", "see", "visit", "eat", "drink", "have",
];

/// More verbs a clause may open with after its own subject ("…, prod
/// alerts *still go* to #alerts-prod", "…, staging *stays* on 1.28").
const MORE_VERBS: &[&str] = &[
    "are", "were", "go", "stay", "stays", "remain", "remains", "handles", "handle", "moved",
    "changed", "went", "came",
];

/// Whether `w` (bare, lower case) is a verb a clause is recognised by.
fn clause_verb(w: &str) -> bool {
    CLAUSE_VERBS.contains(&w) || PLAIN_VERBS.contains(&w) || MORE_VERBS.contains(&w)
}

/// Words that open a noun phrase: "… and *the* landlord is now …".
const DETERMINERS: &[&str] = &[
    "the", "my", "our", "his", "her", "their", "its", "your", "this", "that",
];

/// Words that end a state ("no longer works at", "sold the Octavia",
/// "gave up freelancing"): the clause after one gives the new state.
const ENDS_A_STATE: &[&str] = &[
    "no longer",
    "anymore",
    "any more",
    "gave up",
    "given up",
    "quit",
    "stopped",
    "sold",
    "finished",
    "stepped down",
    "left",
    "moved out",
    "ended",
    "retired",
];

/// Whether the clause that opens `rest` (up to the next semicolon) is
/// short, has no verb and opens with what only qualifies a subject left
/// out ("other days at 9:00", "on Fridays at 10", "weekends off").
fn elliptical(rest: &str) -> bool {
    const OPENS: &[&str] = &[
        "other",
        "otherwise",
        "else",
        "except",
        "rest",
        "weekends",
        "weekdays",
        "mornings",
        "evenings",
        "nights",
        "on",
        "at",
        "in",
        "from",
        "for",
        "until",
        "till",
        "before",
        "after",
        "during",
        "every",
        "each",
    ];
    const AUX: &[&str] = &[
        "is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did",
        "will", "would", "can", "could", "must", "should", "may", "might", "it", "you", "i", "he",
        "she", "they", "we",
    ];
    let words: Vec<String> = first_clause_words(rest);
    let first = words.first().map(String::as_str).unwrap_or_default();
    let day = |w: &str| {
        let w = w.strip_suffix('s').unwrap_or(w);
        crate::text::WEEKDAYS.contains(&w) || crate::text::MONTHS.contains(&w)
    };
    words.len() <= 6
        && (OPENS.contains(&first) || day(first))
        && !words.iter().any(|w| {
            AUX.contains(&w.as_str())
                || CLAUSE_VERBS.contains(&w.as_str())
                || (w.len() > 4 && w.ends_with("ed"))
        })
}

/// Lower-case words of the first clause of `s` (up to a semicolon).
fn first_clause_words(s: &str) -> Vec<String> {
    word_list(s.split(';').next().unwrap_or(s))
}

/// Lower-case words of `s`, punctuation dropped.
fn word_list(s: &str) -> Vec<String> {
    bare_words(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Lower-case words of `s` joined by single spaces, punctuation dropped.
fn bare_words(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `rest`, the part of a sentence after a possible cut, only
/// qualifies or excuses what came before ("but nothing has been approved
/// yet", "I misread the letter"): no fact of its own to store.
fn only_qualifies(rest: &str) -> bool {
    let rest = format!(" {} ", bare_words(rest).replace('\'', " "));
    let opens = |w: &str| rest.starts_with(&format!(" {w} "));
    ["nothing", "none", "nobody", "neither"]
        .iter()
        .any(|q| opens(q) || rest.starts_with(&format!(" but {q} ")))
        || ([
            "i", "we", "but", "sorry", "the", "my", "learned", "learnt", "they", "he", "she",
        ]
        .iter()
        .any(|q| opens(q))
            && [
                " misread ",
                " misheard ",
                " mixed up ",
                " mixed him up ",
                " mixed her up ",
                " mixed them up ",
                " mixed it up ",
                " hard way ",
                " changed their mind ",
                " changed his mind ",
                " changed her mind ",
                " changed my mind ",
                " mistyped ",
                " misspoke ",
                " transposed ",
                " digits ",
                " wrong ",
                " mistake ",
                " typo ",
            ]
            .iter()
            .any(|m| rest.contains(m)))
}

/// Whether `clause` says only that the old state is over ("FreeRTOS is
/// gone", "the manual Vault steps are obsolete"): the other half of the
/// change the clause before states.
fn old_state_gone(clause: &str) -> bool {
    let words: Vec<String> = first_clause_words(clause);
    let n = words.len();
    (3..=7).contains(&n)
        && matches!(
            words[n - 1].as_str(),
            "gone" | "obsolete" | "retired" | "deprecated" | "decommissioned" | "history" | "dead"
        )
        && matches!(words[n - 2].as_str(), "is" | "are" | "was" | "were" | "now")
}

/// Verbs an instruction opens with ("…; use the migrate job", "…; do not
/// force-unlock"). Only words that are not also nouns a fact opens with
/// ("release manager is …", "access tokens live …").
const IMPERATIVES: &[&str] = &[
    "use", "keep", "connect", "toggle", "do", "don't", "dont", "never", "wait", "stop", "avoid",
    "restart", "ask", "try", "remember", "rerun", "retry", "reboot", "prefer", "ignore", "always",
];

/// Whether `clause` is an instruction that goes with the fact before it
/// ("…; use the blank tubes in drawer 3"): it opens with an imperative and
/// has no subject and verb of its own before its end.
fn instruction(clause: &str) -> bool {
    let words: Vec<String> = first_clause_words(clause);
    words
        .first()
        .is_some_and(|w| IMPERATIVES.contains(&w.as_str()))
        && !words
            .iter()
            .skip(1)
            .take(2)
            .any(|w| matches!(w.as_str(), "is" | "are" | "was" | "were" | "has" | "have"))
}

/// Whether the comma before `rest` separates clauses of a series that
/// ends in ", and" + a clause ("The boiler was serviced in October, the
/// chimney sweep comes in November, and the tank is half full"): the part
/// before and the part up to the next comma are four words or more each,
/// and that part has a verb of its own (a known verb, or a verb in -s after
/// its subject, before a preposition or a number: "the savings account
/// *pays* 3.1%"), and it does not open with a count ("two monitors for
/// the office, …" is an item of a list).
fn series_clause(before: &str, rest: &str) -> bool {
    const PREPOSITIONS: &[&str] = &[
        "in", "on", "at", "to", "by", "for", "from", "with", "every", "until", "after", "before",
    ];
    let Some((segment, tail)) = rest.split_once(',') else {
        return false;
    };
    let tail = format!(" {}", bare_words(tail));
    if !(tail.starts_with(" but ") || tail.contains(" and ")) {
        return false;
    }
    let seg: Vec<String> = word_list(segment);
    let numeric = |w: &str| w.starts_with(|c: char| c.is_ascii_digit());
    let verb = seg.iter().enumerate().skip(1).any(|(i, w)| {
        (clause_verb(w) && !matches!(w.as_str(), "go" | "keep" | "use" | "need" | "run"))
            || (i >= 2
                && w.len() > 3
                && w.ends_with('s')
                && !w.ends_with("ss")
                && !DETERMINERS.contains(&seg[i - 1].as_str())
                && !numeric(&seg[i - 1])
                && seg
                    .get(i + 1)
                    .is_some_and(|n| PREPOSITIONS.contains(&n.as_str()) || numeric(n)))
    });
    bare_words(before).split(' ').count() >= 4
        && seg.len() >= 4
        && !seg[0].ends_with("ing")
        // A thing counted opens an item of a list, not a clause.
        && !numeric(&seg[0])
        // Nor does a relative clause.
        && !matches!(
            seg[0].as_str(),
            "a" | "an" | "one" | "two" | "three" | "four" | "five" | "six" | "some" | "several"
                | "more" | "another" | "extra" | "few" | "many" | "who" | "which" | "whose"
                | "that" | "where" | "when"
        )
        && verb
}

/// Whether `piece` (a sentence up to a ", and") is a list of things so
/// far: items between commas of three words or fewer, none with a verb
/// ("The API, the worker"; not "Rent went up, heating failed").
fn list_so_far(piece: &str) -> bool {
    let piece = piece.trim().trim_end_matches([',', ';']);
    let items: Vec<Vec<String>> = piece.split(',').map(word_list).collect();
    items.len() >= 2
        && items.iter().all(|item| {
            (1..=3).contains(&item.len())
                && !item.iter().any(|w| {
                    clause_verb(w)
                        || CLAUSE_PRONOUNS.contains(&w.as_str())
                        || (w.len() > 4 && w.ends_with("ed"))
                })
        })
}

/// More verbs a procedure's instruction opens with ("run make release",
/// "roll back first"): after a purpose or a condition they are no nouns.
const PROCEDURE_VERBS: &[&str] = &[
    "run", "tag", "roll", "check", "set", "call", "open", "delete", "remove", "install", "clear",
    "pin", "make",
];

/// Whether `sentence` is one step of a procedure or a lesson: it opens
/// with its purpose or its condition ("To cut a release, tag …", "When
/// terraform apply fails …, wait …") and its main clause is an
/// instruction. Such a sentence is kept whole: the advice and what it is
/// for are one memory.
fn procedure(sentence: &str) -> bool {
    let Some((head, main)) = sentence.split_once(", ") else {
        return false;
    };
    let first = bare_words(head);
    let first = first.split(' ').next().unwrap_or_default();
    let main = bare_words(main);
    let mut main_words = main.split(' ').skip_while(|w| {
        matches!(
            *w,
            "just" | "first" | "then" | "always" | "simply" | "please"
        )
    });
    matches!(
        first,
        "to" | "when" | "whenever" | "if" | "before" | "after"
    ) && main_words
        .next()
        .is_some_and(|w| IMPERATIVES.contains(&w) || PROCEDURE_VERBS.contains(&w))
}

/// The independent clauses of one sentence: it is cut before `, and`,
/// `; `, `, but`, and before `and` or `,` when a personal pronoun or a
/// known verb follows (then the clause shares the sentence's subject).
/// Each clause is verbatim text of the sentence (its evidence); a clause
/// of fewer than three words is not cut off.
pub fn clauses(sentence: &str) -> Vec<String> {
    if procedure(sentence) {
        return vec![sentence.trim().to_string()];
    }
    let words: Vec<(usize, &str)> = sentence
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - sentence.as_ptr() as usize, w))
        .collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
            .to_lowercase()
    };
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (end of a clause, start of the next)
    let mut clause_start = 0;
    let mut joined_once = false;
    for k in 1..words.len() {
        let (off, w) = words[k];
        let prev = words[k - 1].1;
        let lw = bare(w);
        let next = words.get(k + 1).map(|(_, n)| bare(n)).unwrap_or_default();
        // "she's", "they're": the pronoun.
        let next = next
            .split_once('\'')
            .map_or(next.clone(), |(p, _)| p.to_string());
        // After "I" or "we" the verbs are in their plain form ("I live in
        // Berlin and *work* as a nurse").
        let first_person = matches!(bare(words[0].1).as_str(), "i" | "we");
        let opens = |x: &str| {
            CLAUSE_PRONOUNS.contains(&x)
                || CLAUSE_VERBS.contains(&x)
                || (first_person && PLAIN_VERBS.contains(&x))
        };
        // A dash between clauses is a comma ("…, not May — and her husband
        // drives …").
        let dash = matches!(prev, "—" | "–" | "-");
        let cut = if prev.ends_with(',') || prev.ends_with(';') || dash {
            if matches!(lw.as_str(), "and" | "but") {
                // "The API, the worker, and the scheduler run on …": the
                // last item of a list of things, not a clause.
                (!list_so_far(&sentence[clause_start..off]))
                    .then(|| words.get(k + 1).map_or(off, |(o, _)| *o))
            } else if prev.ends_with(';') {
                // A short clause without a verb after a semicolon goes on
                // with the one before ("… at 10:15 on Mondays; other days
                // at 9:00"): it has no subject of its own.
                (!elliptical(&sentence[off..])).then_some(off)
            } else if CLAUSE_PRONOUNS.contains(&lw.as_str()) {
                Some(off)
            } else if CLAUSE_VERBS.contains(&lw.as_str())
                // Or a subject of its own, then its verb ("…, prod alerts
                // still go to …", "…, jOOQ stays").
                || (!DETERMINERS.contains(&lw.as_str())
                    && !matches!(
                        lw.as_str(),
                        "who" | "which" | "whose" | "that" | "plus" | "not" | "no" | "never"
                            | "also" | "or"
                    )
                    && !w.ends_with([',', ';', ':'])
                    && (1..=3).any(|j| {
                        words.get(k + j).is_some_and(|(_, x)| {
                            let x = bare(x);
                            clause_verb(&x) && !CLAUSE_PRONOUNS.contains(&x.as_str())
                        }) && (1..j).all(|i| {
                            words
                                .get(k + i)
                                .is_some_and(|(_, x)| {
                                    !x.ends_with([',', ';', ':', '.']) && !clause_verb(&bare(x))
                                })
                        })
                    }))
            {
                // A verb after a comma opens a clause of its own only when
                // the clause before has its verb and is no relative clause
                // ("… requires Node 20, uses Prettier"; not "My brother,
                // Tom, lives in Leeds" nor "Ana, who is my sister, lives …").
                let before: Vec<String> = words
                    .iter()
                    .filter(|(o, _)| *o >= clause_start && *o < off)
                    .map(|(_, w)| bare(w))
                    .collect();
                let has_verb = before.iter().any(|w| clause_verb(w));
                let relative = before
                    .iter()
                    .any(|w| matches!(w.as_str(), "who" | "which" | "whose" | "that"));
                (has_verb && !relative).then_some(off)
            } else if prev.ends_with(',')
                && series_clause(&sentence[clause_start..off], &sentence[off..])
            {
                Some(off)
            } else {
                None
            }
        } else if matches!(lw.as_str(), "and" | "but") && opens(&next) {
            Some(words.get(k + 1).map_or(off, |(o, _)| *o))
        } else if lw == "and"
            && DETERMINERS.contains(&next.as_str())
            // "… and the landlord is now Harbour Lettings": a subject of
            // its own and its verb, after a clause with a verb.
            && (2..=4).any(|j| {
                words
                    .get(k + j)
                    .is_some_and(|(_, x)| matches!(bare(x).as_str(), "is" | "are" | "was" | "were" | "has" | "have"))
            })
            && words
                .iter()
                .filter(|(o, _)| *o >= clause_start && *o < off)
                .any(|(_, w)| clause_verb(&bare(w)))
        {
            Some(words.get(k + 1).map_or(off, |(o, _)| *o))
        } else {
            None
        };
        // What follows only qualifies or excuses the clause before: no fact
        // of its own. Nor is a remark in brackets cut off ("… (allergist
        // confirmed; peanuts are legumes)").
        let open = sentence[..off].matches(['(', '[']).count()
            > sentence[..off].matches([')', ']']).count();
        // A clause that refers back to the one before ("…; keep *it* at 6",
        // "…; warming the cache fixes *it*", "…, I fat-fingered *it*") says
        // nothing on its own: the advice or the remark goes with its fact.
        let refers_back = || {
            let mut clause = Vec::new();
            for (_, x) in &words[k..] {
                clause.push(bare(x));
                if x.ends_with([',', ';', '.', ':']) {
                    break;
                }
            }
            // (After its "and" or "but": "…, and it exposes a gRPC API"
            // has a subject of its own.)
            let opener = clause
                .iter()
                .position(|x| !matches!(x.as_str(), "and" | "but"))
                .unwrap_or(0);
            clause
                .iter()
                .skip(opener + 1)
                .any(|x| matches!(x.as_str(), "it" | "them"))
        };
        // A new state and the old one's end ("…; FreeRTOS is gone"), a
        // fact and the instruction that goes with it ("…; use the migrate
        // job") are one memory each.
        let one_change = || old_state_gone(&sentence[off..]);
        let advice = || prev.ends_with(';') && instruction(&sentence[off..]);
        let cut = cut.filter(|_| {
            !open
                && !only_qualifies(&sentence[off..])
                && !refers_back()
                && !one_change()
                && !advice()
        });
        if let Some(start) = cut {
            let end = words[k - 1].0 + prev.len();
            // A clause that ends the old state ("Nora no longer works at
            // Zalando; she joined Delivery Hero") and the one that gives
            // the new state are one change, not two facts.
            // Only when the ending clause does not name the new state
            // itself ("left SAP *for* a startup"), and only once.
            let clause = format!(" {} ", bare_words(&sentence[clause_start..end]));
            let ends = ENDS_A_STATE.iter().find_map(|m| {
                clause
                    .find(&format!(" {m} "))
                    .map(|i| &clause[i + m.len() + 1..])
            });
            // "no longer go *to* Elasticsearch" names the old state there.
            let lasting = [" no longer ", " anymore ", " any more "]
                .iter()
                .any(|m| clause.contains(m));
            let joined = ends.is_some_and(|after| {
                lasting || (!after.contains(" for ") && !after.contains(" to "))
            });
            if !joined || joined_once {
                cuts.push((end, start));
            } else {
                joined_once = true;
            }
            clause_start = start;
        }
    }
    let mut out = Vec::new();
    let mut from = 0;
    for (end, start) in cuts {
        let piece = sentence[from..end]
            .trim()
            .trim_end_matches([',', ';'])
            .trim();
        let rest = &sentence[start..];
        // (Two words are a clause when the second is its verb: "jOOQ
        // stays".)
        let rest_words: Vec<String> = rest
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .collect();
        let rest_ok = rest_words.len() >= 3
            || (rest_words.len() == 2 && MORE_VERBS.contains(&rest_words[1].as_str()));
        if piece.split_whitespace().count() >= 3 && rest_ok {
            out.push(piece.to_string());
            from = start;
        }
    }
    let last = sentence[from..].trim();
    if !last.is_empty() {
        out.push(last.to_string());
    }
    out
}

/// Sentences of plain text: a `.`, `!` or `?` followed by whitespace and an
/// upper-case letter or digit ends one, unless the word before is a short
/// abbreviation (`e.g.`, `Dr.`, `approx.`). Newlines between paragraphs end one too.
pub fn sentences(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in input.split("\n\n") {
        let chars: Vec<(usize, char)> = para.char_indices().collect();
        // A writer who opens in lower case ("rent went up. also …") opens
        // every sentence so.
        let casual = para
            .chars()
            .find(|c| c.is_alphabetic())
            .is_some_and(char::is_lowercase);
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
            // The next sentence opens with a capital, a digit, or a
            // lowercase identifier ("web-02 still runs …", "node_modules/
            // is …"): hyphens, digits, underscores or slashes in its first
            // word.
            let next_word: String = chars[k + 1..]
                .iter()
                .map(|(_, c)| *c)
                .skip_while(|c| c.is_whitespace())
                .take_while(|c| !c.is_whitespace())
                .collect();
            let identifier = next_word.len() > 1
                && next_word
                    .trim_end_matches([',', ':', ';', '.'])
                    .chars()
                    .any(|c| c.is_ascii_digit() || matches!(c, '-' | '_' | '/'));
            if !after.is_some_and(|a| {
                a.is_uppercase() || a.is_ascii_digit() || (casual && a.is_lowercase())
            }) && !identifier
            {
                continue;
            }
            let before = &para[start..i];
            let last_word = before
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            // Abbreviations: "e.g.", "U.S.", "a.m." (single letters between
            // dots) and a few words; a version or a host name ("24.04",
            // "example.com") ends a sentence like any word.
            let lower = last_word.to_lowercase();
            let dotted = lower.contains('.')
                && lower
                    .trim_start_matches(['(', '"', '\''])
                    .split('.')
                    .all(|p| p.chars().count() <= 1 && p.chars().all(char::is_alphabetic));
            // An initial ("N. K. Jemisin").
            let initial =
                last_word.chars().count() == 1 && last_word.chars().all(char::is_uppercase);
            if c == '.'
                && (dotted
                    || initial
                    || [
                        "dr", "mr", "mrs", "ms", "st", "vs", "approx", "etc", "no", "fig", "cf",
                    ]
                    .contains(&lower.as_str()))
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

/// A sentence without an aside that opens it ("FYI", "btw", "By the way,",
/// "For the record:", "Heads up:"): it says nothing and hides the
/// sentence's subject. ("Also" stays: it says the statement adds to one
/// before.)
fn without_aside(sentence: &str) -> String {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:fyi|btw|by the way|for the record|for your information|just so you know|heads up|ps|p\.s\.)(?:\s*[,:;.!-]\s*|\s+)").unwrap()
    });
    match RE.find(sentence) {
        // The rest stays as written: it is the statement's quote.
        Some(m) if sentence[m.end()..].split_whitespace().count() >= 2 => {
            sentence[m.end()..].to_string()
        }
        _ => sentence.to_string(),
    }
}

/// Splits an input into statements with evidence (deterministic).
pub fn split(input: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut last_name: Option<String> = None;
    // (clause, the sentence's subject words when the sentence was cut)
    let pieces: Vec<(String, Option<Option<String>>)> = sentences(input)
        .into_iter()
        .map(|s| without_aside(&s))
        .flat_map(|s| {
            let cl = clauses(&s);
            // The subject words of the sentence (before its first verb), for
            // a clause that opens with a verb.
            let subject = cl.first().and_then(|c| {
                let ws: Vec<&str> = c.split_whitespace().collect();
                // "I" and "we" open a sentence whose verbs are plain.
                if matches!(
                    ws.first().map(|w| w.to_lowercase()).as_deref(),
                    Some("i" | "we")
                ) {
                    return Some(ws[0].to_string());
                }
                let v = ws
                    .iter()
                    .position(|w| CLAUSE_VERBS.contains(&w.to_lowercase().as_str()))?;
                (v > 0 && v <= 3).then(|| ws[..v].join(" "))
            });
            let cut = cl.len() > 1;
            cl.into_iter()
                .map(move |c| (c, cut.then(|| subject.clone())))
                .collect::<Vec<_>>()
        })
        .collect();
    // A sentence that only excuses or qualifies the one before ("My
    // mistake.", "Learned that the hard way.") stays with it.
    let mut joined: Vec<(String, Option<Option<String>>)> = Vec::new();
    for (s, subject) in pieces {
        match joined.last_mut() {
            Some((prev, _)) if only_qualifies(&s) => {
                prev.push(' ');
                prev.push_str(&s);
            }
            _ => joined.push((s, subject)),
        }
    }
    for (s, subject) in joined {
        let first_word = s.split_whitespace().next().unwrap_or("").to_lowercase();
        let mut text = match &subject {
            Some(Some(subj))
                if CLAUSE_VERBS.contains(&first_word.as_str())
                    || (matches!(subj.to_lowercase().as_str(), "i" | "we")
                        && PLAIN_VERBS.contains(&first_word.as_str())) =>
            {
                format!("{subj} {s}")
            }
            _ => s.clone(),
        };
        if subject.is_some() {
            // A clause cut from its sentence: a sentence of its own.
            if !text.ends_with(['.', '!', '?']) {
                text.push('.');
            }
            let mut cs = text.chars();
            if let Some(c0) = cs.next() {
                text = c0.to_uppercase().collect::<String>() + cs.as_str();
            }
        }
        let first = s.split_whitespace().next().unwrap_or("");
        let lower = first.to_lowercase();
        if let Some(&(_, possessive)) = PRONOUNS.iter().find(|(p, _)| *p == lower)
            && let Some(name) = &last_name
        {
            let rest = &text[first.len()..];
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
            // The whole name ("Grandpa Wen"), not its first word.
            let raw = w.raw.strip_suffix("'s").unwrap_or(&w.raw).to_string();
            last_name = Some(a.subject_text.clone().filter(|_| !a.by_role).unwrap_or(raw));
        }
        // A sentence whose aside was cut opens in lower case.
        if text.starts_with(|c: char| c.is_lowercase()) && input.trim_start() != s.trim_start() {
            let mut cs = text.chars();
            if let Some(c0) = cs.next() {
                text = c0.to_uppercase().collect::<String>() + cs.as_str();
            }
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
    let input_words = crate::text::word_stems(input);
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
    fn an_aside_opening_a_sentence_hides_no_subject() {
        // Invented sentence, not from any fixture.
        let input = "FYI our billing database is called ledger_prod and lives on db7.internal.";
        let st = split(input);
        assert!(
            st.iter()
                .all(|s| s.text.starts_with("Our billing database")),
            "{st:?}"
        );
        for s in &st {
            assert!(input.contains(&s.evidence), "{s:?}");
        }
    }

    #[test]
    fn a_remark_on_the_fact_stays_with_it() {
        // Invented sentences, not from any fixture.
        for input in [
            "The boiler service is due in March, not May. My mistake.",
            "Lock the shed before the storm. Learned that the hard way.",
            "Rafferty is actually a whippet, not a greyhound; I mixed him up with next door's dog.",
            "The demo uses dark mode now; they've changed their mind.",
            "Odile is not allergic to sesame (the clinic checked; it was a rash).",
        ] {
            let (ok, bad) = distill(input);
            assert_eq!(ok.len(), 1, "{input}: {ok:?} {bad:?}");
        }
        // Two facts are still two.
        for input in [
            "The boiler service is due in March. The plumber is Teodora Vass.",
            "The patio was laid in May. She mixed the mortar herself.",
        ] {
            assert_eq!(distill(input).0.len(), 2, "{input}");
        }
    }

    #[test]
    fn the_end_of_an_old_state_and_the_new_one_are_one_change() {
        for input in [
            "Nora no longer works at Zalando; she joined Delivery Hero.",
            "Deploys no longer use Capistrano; we deploy with Argo CD.",
            "Ben doesn't play tennis anymore, he plays squash.",
            "We sold the Octavia and bought a used Toyota Corolla hybrid.",
            "Sven gave up freelancing and is now a staff photographer at a newspaper.",
            "Audit logs no longer go to Splunk; we send them to S3 now.",
            // A clause that only qualifies or excuses the one before.
            "Omar proposed moving the offsite to June, but nothing has been decided yet.",
            "Actually the dentist appointment is on Friday; I misread the card.",
            "The gate code ends in 4417; I swapped the digits.",
            "Actually the API listens on 8088; I mistyped it earlier.",
        ] {
            assert_eq!(clauses(input), vec![input.to_string()], "{input}");
        }
        // An end that names the new state itself is a clause of its own,
        // and only the clause right after an end joins it.
        assert_eq!(
            clauses(
                "Benedikt left SAP for a startup in Munich, he bought a flat in Giesing, and he is training for the Munich marathon."
            )
            .len(),
            3
        );
        assert_eq!(
            clauses("Mia quit her job and moved to Oslo, and she adopted a dog.").len(),
            2
        );
        // A contraction and a dash open clauses too; an initial ends no
        // sentence.
        assert_eq!(
            clauses("Ines is vegan and she's allergic to peanuts.").len(),
            2
        );
        assert_eq!(
            clauses("The car's service is due in June, not April — and her son drives a Fiat.")
                .len(),
            2
        );
        assert_eq!(
            sentences("J. R. Tolkien is another of Ola's favourite authors.").len(),
            1
        );
        // Without an end, the two clauses are two facts.
        assert_eq!(
            clauses("Nora works at Zalando; she joined a choir.").len(),
            2
        );
        assert_eq!(
            clauses("The API is written in Go; the worker uses Rust and Redis.").len(),
            2
        );
        // A clause without a verb after a semicolon goes on with the one
        // before.
        assert_eq!(
            clauses("The team standup is at 10:15 on Mondays only; other days at 9:00.").len(),
            1
        );
        assert_eq!(
            clauses("The gym opens at 6am on weekdays; Saturdays at 8am.").len(),
            1
        );
        assert_eq!(clauses("I live in Berlin and work as a nurse.").len(), 2);
        assert_eq!(
            clauses("Ana lives in Berlin and work is her life.").len(),
            1
        );
        let s = split("I live in Berlin and work as a nurse.");
        let texts: Vec<&str> = s.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(texts, ["I live in Berlin.", "I work as a nurse."]);
        for st in &s {
            supported(st, "I live in Berlin and work as a nurse.").unwrap();
        }
        assert_eq!(
            clauses("PRs need two approvals; end-to-end tests use Playwright.").len(),
            2
        );
    }

    #[test]
    fn a_clause_that_refers_back_stays_with_its_fact() {
        for input in [
            "the OOM on the big nodes only happens when workers > 8; keep it at 6",
            "first-launch stutter is shader compilation; warming the cache fixes it",
            "correction: the admin port is 9443, I mistyped it",
        ] {
            assert_eq!(split(input).len(), 1, "{input}");
        }
        // A clause whose own subject is "it" is a fact of its own.
        assert_eq!(
            split("The search service runs on 8 pods, and it exposes a gRPC API.").len(),
            2
        );
    }

    #[test]
    fn a_writer_in_lower_case_still_ends_sentences() {
        let s = sentences("rent went up to 1520 this month. also saving 200 a month for the trip");
        assert_eq!(s.len(), 2, "{s:?}");
        // Abbreviations still do not end one.
        assert_eq!(sentences("bring snacks, e.g. fruit. and water").len(), 2);
        // A writer who capitalises: a lower-case word goes on.
        assert_eq!(sentences("Meet at 10 a.m. sharp in room 4.").len(), 1);
    }

    #[test]
    fn a_clause_with_a_subject_of_its_own_is_cut_off() {
        for (sentence, want) in [
            (
                "staging alerts now go to #alerts-nonprod, prod alerts still go to #alerts-prod",
                2,
            ),
            ("prod is on 1.30 now, staging stays on 1.28", 2),
            ("migrations moved from Flyway to Liquibase, jOOQ stays", 2),
            (
                "rent is twelve hundred a month and the landlord is now Harbour Lettings",
                2,
            ),
            ("still living in Bristol but I've moved jobs to PwC", 2),
            (
                "we use GitHub Actions for CI, artifacts moved to GHCR, and Renovate handles dependency updates",
                3,
            ),
            // Not a subject of its own: a negation, a list, an aside, a
            // clause before without a verb.
            (
                "our anniversary is 2012-05-28, not 2011; I got the date wrong",
                1,
            ),
            ("Kofi switched jobs, he's at Feedzai now", 1),
            ("My brother, Tom, lives in Leeds", 1),
            ("We use Rust, Go and Python for the backend", 1),
            ("On Mondays, the standup is at 10", 1),
        ] {
            assert_eq!(
                clauses(sentence).len(),
                want,
                "{sentence}: {:?}",
                clauses(sentence)
            );
        }
    }

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
    fn a_sentence_joining_independent_facts_is_cut_into_clauses() {
        let input = "Maya moved to Lisbon, she started at Stripe, and she adopted a cat.";
        assert!(splittable(input));
        let s = split(input);
        let texts: Vec<&str> = s.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Maya moved to Lisbon.",
                "Maya started at Stripe.",
                "Maya adopted a cat."
            ]
        );
        assert_eq!(s[1].evidence, "she started at Stripe");
        for st in &s {
            supported(st, input).unwrap();
        }
        // A verb after "and" shares the sentence's subject.
        let s = split("Diego lives in Valencia and works as an architect.");
        assert_eq!(s[1].text, "Diego works as an architect.");
        supported(&s[1], "Diego lives in Valencia and works as an architect.").unwrap();
        // A verb after a comma opens a clause when the clause before has
        // its own verb; an apposition or a relative clause does not.
        assert_eq!(
            clauses(
                "The kiosk repo requires Node 20, uses Prettier for formatting, and runs Vitest for tests."
            )
            .len(),
            3
        );
        assert_eq!(clauses("My brother, Tom, lives in Leeds.").len(), 1);
        assert_eq!(clauses("Ana, who is my sister, lives in Porto.").len(), 1);
        // Lists of things are not clauses.
        assert_eq!(clauses("Bring salt and pepper, bread and cheese.").len(), 1);
        assert_eq!(clauses("The build needs cmake and libclang.").len(), 1);
        assert!(!splittable("The build needs cmake and libclang."));
    }

    #[test]
    fn advice_and_the_end_of_an_old_state_stay_with_their_fact() {
        for (sentence, n) in [
            // An instruction after a semicolon goes with the fact before it.
            (
                "The staging bucket is versioned; never delete objects by hand.",
                1,
            ),
            (
                "The VPN moved to Tailscale; use the Tailscale app from now on.",
                1,
            ),
            // A fact after a semicolon is still cut off.
            (
                "The staging bucket is versioned; the prod bucket has object lock.",
                2,
            ),
            // "Also" adds an instruction of its own.
            (
                "Backups run at 1am; also rotate the logs weekly on Sundays.",
                2,
            ),
            // The new state and the end of the old one are one change.
            (
                "Billing now runs on Postgres 16; the old MySQL cluster is retired.",
                1,
            ),
            (
                "Billing now runs on Postgres 16; the old MySQL cluster handles reports.",
                2,
            ),
        ] {
            assert_eq!(clauses(sentence).len(), n, "{sentence}");
        }
        // A purpose or a condition and its instructions are one procedure.
        for p in [
            "To renew the certificate, run certbot renew; nginx then reloads by itself.",
            "When the deploy hangs on migrations, wait five minutes and retry; do not kill the pod.",
            "If the printer jams, open tray 2, and never pull the paper backwards.",
        ] {
            assert_eq!(clauses(p).len(), 1, "{p}");
            assert!(!splittable(p), "{p}");
        }
        // A sentence opening with "when" that states facts is cut as before.
        let facts = "When we moved, the rent went up to 900; Maya started at Stripe.";
        assert!(!procedure(facts));
        assert_eq!(clauses(facts).len(), 2);
    }

    #[test]
    fn a_series_of_clauses_is_cut_at_every_comma() {
        assert_eq!(
            clauses(
                "The gutters were cleared in March, the window cleaner comes every six weeks, and the septic tank is emptied in May."
            ),
            [
                "The gutters were cleared in March",
                "the window cleaner comes every six weeks",
                "the septic tank is emptied in May."
            ]
        );
        for (sentence, n) in [
            (
                "Council tax is 160 a month, the pension fund returns 4%, and water is 38.",
                3,
            ),
            // The last item of a list of things is no clause.
            (
                "The API, the worker, and the scheduler run on Kubernetes.",
                1,
            ),
            // Short clauses with verbs are no list: the last one is cut off.
            (
                "Rent went up, heating failed, and the landlord is not answering.",
                2,
            ),
            // A list of things has no verb in its items.
            (
                "We still need a new laptop for Sam, two large monitors for the office, and a desk.",
                1,
            ),
            // Without a closing "and" clause it is no series.
            (
                "The gutters were cleared in March, the window cleaner comes every six weeks.",
                1,
            ),
        ] {
            assert_eq!(clauses(sentence).len(), n, "{sentence}");
        }
    }

    #[test]
    fn keeps_lists_and_single_sentences_whole() {
        assert!(!splittable("Deploy checklist:\n- build\n- tag"));
        assert!(!splittable("Only one sentence here."));
        assert!(splittable("One fact here. Another fact there."));
        // A subject line and a body: one memory.
        assert!(!splittable(
            "Release v2.3.0\n\nShips the new billing export. Drops support for Node 16.\n"
        ));
        assert!(splittable(
            "Ships the new billing export. Drops support for Node 16."
        ));
        assert_eq!(
            sentences("Use e.g. cmake. Then run it."),
            ["Use e.g. cmake.", "Then run it."]
        );
        // A version or a host name ends a sentence; a lowercase identifier
        // opens one; plain lowercase words and abbreviations do not.
        assert_eq!(
            sentences("web-01 was upgraded to Ubuntu 24.04. web-02 still runs Ubuntu 22.04."),
            [
                "web-01 was upgraded to Ubuntu 24.04.",
                "web-02 still runs Ubuntu 22.04."
            ]
        );
        assert_eq!(
            sentences("The docs moved to docs.example.com. Old links redirect."),
            ["The docs moved to docs.example.com.", "Old links redirect."]
        );
        assert_eq!(sentences("We met at 9 a.m. Then lunch.").len(), 1);
        assert_eq!(sentences("It costs approx. fifty euros.").len(), 1);
        assert_eq!(sentences("Run it with cargo. then retry.").len(), 1);
        assert_eq!(sentences("See the U.S. office-2 list.").len(), 1);
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
