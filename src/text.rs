//! Lexical analysis for curation: content-word stems (with a small table of
//! common synonyms folded together), "values" (proper names, numbers,
//! versions, times), the subject of a statement, and change / addition
//! markers. Everything here is deterministic and cheap (microseconds).

use std::collections::BTreeSet;

/// A word of the original text.
#[derive(Debug, Clone)]
pub struct Word {
    /// As written (possessive `'s` removed).
    pub raw: String,
    /// Lower-cased, stemmed, synonyms folded.
    pub stem: String,
    /// Position in the sentence (0-based, counting every word).
    pub pos: usize,
    /// A proper name, number, version or time: the kind of token whose
    /// change means the fact changed.
    pub value: bool,
    pub stop: bool,
}

/// Words that carry no content for comparison.
const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "by",
    "with",
    "from",
    "into",
    "onto",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "do",
    "does",
    "did",
    "have",
    "had",
    "having",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "as",
    "so",
    "than",
    "then",
    "which",
    "who",
    "whom",
    "what",
    "where",
    "when",
    "how",
    "i",
    "me",
    "my",
    "mine",
    "we",
    "us",
    "our",
    "ours",
    "you",
    "your",
    "he",
    "him",
    "his",
    "she",
    "her",
    "hers",
    "they",
    "them",
    "their",
    "theirs",
    "go",
    "goes",
    "going",
    "went",
    "through",
    "over",
    "via",
    "per",
    "about",
    // Hedges on an amount say nothing of their own.
    "roughly",
    "approximately",
    "approx",
    "circa",
    "around",
    "all",
    "any",
    "some",
    "just",
    "very",
    "really",
    "will",
    "would",
    "should",
    "can",
    "could",
    "get",
    "gets",
    "got",
    "also",
    "too",
    "now",
    "well",
    "additionally",
    "still",
    "always",
    "every",
    "each",
    "more",
    "most",
    "much",
    "many",
    "one",
    "ones",
    "thing",
    "things",
    "whose",
    "being",
    "if",
    "while",
    "during",
    "own",
    "currently",
    "anymore",
    "longer",
    "no",
    "not",
    "never",
    "new",
    "called",
    "named",
    "s",
];

/// Groups of words that say the same thing in notes; each folds to its first
/// member. General vocabulary, not tuned to any test sentence.
const SYNONYMS: &[&[&str]] = &[
    &[
        "live", "reside", "home", "based", "stay", "resident", "house", "lives", "living",
    ],
    &[
        "work", "employ", "employed", "employer", "job", "works", "working",
    ],
    &[
        "need",
        "require",
        "necessary",
        "needed",
        "must",
        "required",
        "requirement",
        "needs",
        "requires",
    ],
    &[
        "like", "love", "enjoy", "prefer", "fond", "prefers", "loves", "likes", "enjoys",
    ],
    &["favourite", "favorite"],
    &[
        "dislike", "dislikes", "hate", "hates", "detest", "detests", "loathe", "loathes",
        "disliked", "hated",
    ],
    &["depart", "departs", "departure", "departed", "departing"],
    &[
        "mandatory",
        "compulsory",
        "obligatory",
        "enforced",
        "enforce",
    ],
    // British and American words for one thing.
    &["coriander", "cilantro"],
    &["aubergine", "eggplant"],
    &["courgette", "zucchini"],
    &["flat", "apartment"],
    &["holiday", "vacation", "holidays", "vacations"],
    &["lorry", "truck"],
    &["nappy", "diaper", "nappies", "diapers"],
    &["mobile", "cellphone"],
    &["use", "using", "utilize", "rely", "relies", "uses", "used"],
    &[
        "lead", "led", "head", "leads", "manage", "manager", "manages",
    ],
    &["birth", "born", "birthday"],
    &["fly", "flight", "flies", "flew", "flying"],
    &["begin", "start", "started", "began", "starts"],
    &["build", "built", "builds", "building"],
    &["speak", "speaks", "spoke", "fluent"],
    &["deploy", "deploys", "deploying", "deployment", "deployed"],
    &["listen", "listens", "serve", "serves", "bound", "bind"],
    &["limit", "limited", "cap", "capped", "limits"],
    &[
        "medication",
        "medications",
        "meds",
        "med",
        "medicine",
        "medicines",
    ],
    &["change", "changed", "changes", "changing"],
    &["meet", "meeting", "meetings", "sync", "standup"],
    &["memory", "ram"],
    &["production", "prod"],
    &["database", "db", "databases"],
    &["repository", "repo", "repositories", "repos"],
    &["core", "cpu", "cores", "cpus"],
    &["dish", "food", "meal"],
    &["postgres", "postgresql"],
    &["golang", "go"],
    &["kubernetes", "k8s", "kube"],
    // Words developers shorten ("svc", "env", "config", "deps").
    &["service", "svc", "services", "svcs"],
    &["environment", "env", "environments", "envs"],
    &["configuration", "config", "configs", "conf"],
    &["dependency", "dependencies", "deps", "dep"],
    &["package", "packages", "pkg", "pkgs"],
    &[
        "directory",
        "directories",
        "dir",
        "dirs",
        "folder",
        "folders",
    ],
    &["documentation", "docs"],
    &["infrastructure", "infra"],
    &["application", "applications", "app", "apps"],
    &["message", "messages", "msg", "msgs"],
    &["authentication", "auth", "authn"],
    &[
        "approval",
        "approvals",
        "approve",
        "approves",
        "approved",
        "approving",
    ],
    &["bigquery", "bq"],
    &["javascript", "js"],
    // Days of the week shortened ("mon + wed"; not "sat", "sun").
    &["monday", "mon", "mondays"],
    &["tuesday", "tue", "tues", "tuesdays"],
    &["wednesday", "wed", "weds", "wednesdays"],
    &["thursday", "thu", "thur", "thurs", "thursdays"],
    &["friday", "fri", "fridays"],
    &["vm", "vms"],
    &["pr", "prs"],
    // units: written out or abbreviated
    &["gb", "gigabyte", "gigabytes", "gib", "gig", "gigs"],
    &["tb", "terabyte", "terabytes", "tib"],
    &["mb", "megabyte", "megabytes", "mib"],
    &["mbit", "mbps", "mbit/s", "megabit", "megabits"],
    &["euro", "euros", "eur", "€"],
    &["dollar", "dollars", "usd", "$"],
    &["minute", "minutes", "min", "mins"],
    // ("a night" and "nightly" are the same: a count per night is said
    // both ways.)
    &["night", "nightly"],
    &["hour", "hours", "hr", "hrs", "h"],
    &["km", "kilometre", "kilometres", "kilometer", "kilometers"],
    &["kg", "kilogram", "kilograms", "kilo", "kilos"],
    &[
        "cm",
        "centimetre",
        "centimetres",
        "centimeter",
        "centimeters",
    ],
    &[
        "mm",
        "millimetre",
        "millimetres",
        "millimeter",
        "millimeters",
    ],
    &["g", "gram", "grams", "gramme", "grammes"],
    &["l", "litre", "litres", "liter", "liters"],
    &[
        "ml",
        "millilitre",
        "millilitres",
        "milliliter",
        "milliliters",
    ],
    &["pound", "pounds", "gbp"],
    &["scared", "frightened", "afraid", "terrified"],
    &["vacuum", "hoover"],
    &["surgery", "operation", "op"],
    &["mother", "mum", "mom"],
    &["father", "dad"],
    &["acknowledge", "ack", "acknowledged", "acked"],
    // A doer and the deed ("supplied by" / "supplier", "teaches" /
    // "teacher"): one attribute.
    &[
        "supply",
        "supplied",
        "supplies",
        "supplier",
        "suppliers",
        "supplying",
    ],
    &[
        "teach", "teaches", "taught", "teacher", "teachers", "teaching",
    ],
];

/// The days of the week, lower case, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The months, lower case, January first.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Units of measure (folded): a number's unit is never a name or a value
/// of its own ("64 GB" and "64 gigabytes" hold the same value).
const UNITS: &[&str] = &[
    "gb", "tb", "mb", "mbit", "euro", "dollar", "minute", "hour", "km", "kg", "ms", "mg", "ml",
    "gib", "mib", "tib", "ghz", "mhz", "kwh", "kb", "gbit", "cm", "mm", "g", "pound", "mph", "sec",
];

/// Names of things written as identifiers in a query: letters with digits
/// ("metis7", "web-03", "ec2"). Recall ranks the entries that hold one
/// above the rest. (Words joined by hyphens are not: "dairy-free" and
/// "career-high" are ordinary words.)
pub fn query_identifiers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words_of(text) {
        let w = w
            .strip_suffix("'s")
            .or_else(|| w.strip_suffix("’s"))
            .unwrap_or(&w)
            .to_string();
        if is_identifier(&w) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Verbs of a role toward a thing: "Zane *leads* project Mira".
const ROLE_VERBS: &[&str] = &["leads", "manages", "owns", "chairs"];

/// Nouns of a role: "took over as *lead* of", "is the *owner* of".
const ROLE_NOUNS: &[&str] = &[
    "lead",
    "leader",
    "head",
    "manager",
    "owner",
    "chair",
    "director",
    "captain",
    "maintainer",
    "coordinator",
    "sponsor",
    // "product owner", as the words are folded.
    "po",
];

/// Where the named thing starts when the words from `j` give a role
/// toward it: a role verb ("leads project Mira"), or a role noun and "of"
/// / "for" ("took over as lead of project Mira", "is the owner of
/// Payments"). The thing is a name within three words (after "project",
/// "the", "team"…); None when there is no such name.
fn role_object(words: &[Word], j: usize) -> Option<usize> {
    let lower = |k: usize| words.get(k).map(|w| w.raw.to_lowercase());
    let start = if lower(j).is_some_and(|w| ROLE_VERBS.contains(&w.as_str())) {
        j + 1
    } else {
        // "took over *as* lead of", "is (the) owner of", "became (the)
        // head of": the role noun right after "as" or a copula.
        (j..j + 4).find_map(|k| {
            let w = lower(k)?;
            if !matches!(w.as_str(), "as" | "is" | "was" | "became" | "becomes") {
                return None;
            }
            let mut r = k + 1;
            // "is *now the new* tech lead of", "is *currently the* owner".
            while matches!(
                lower(r).as_deref(),
                Some("the" | "new" | "now" | "currently" | "current" | "acting" | "interim")
            ) {
                r += 1;
            }
            // Up to two words of the role's kind before it ("tech lead",
            // "engineering manager", "product owner").
            (0..=2).find_map(|m| {
                let at = r + m;
                (words[r..at.min(words.len())].iter().all(|w| !w.value)
                    && lower(at).is_some_and(|n| ROLE_NOUNS.contains(&n.as_str()))
                    && matches!(lower(at + 1).as_deref(), Some("of" | "for")))
                .then_some(at + 2)
            })
        })?
    };
    // The thing's name right away, or after "project", "team", "the"
    // ("leads project Mira"); never after "a" ("owns a Tesla").
    let mut k = start;
    while matches!(
        lower(k).as_deref(),
        Some("project" | "team" | "the" | "product" | "service")
    ) {
        k += 1;
    }
    words
        .get(k)
        .is_some_and(|w| w.value && !w.raw.chars().any(|c| c.is_ascii_digit()))
        .then_some(k)
}

/// Latin letters with their accents taken off ("Lucía" and "lucia" are one
/// name as people type them).
fn fold_accents(w: &str) -> String {
    if w.is_ascii() {
        return w.to_string();
    }
    w.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'ī' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ő' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
            'ñ' | 'ń' | 'ň' => 'n',
            'ç' | 'ć' | 'č' => 'c',
            'ś' | 'š' | 'ş' | 'ș' => 's',
            'ț' | 'ţ' | 'ť' => 't',
            'ž' | 'ź' | 'ż' => 'z',
            'ý' | 'ÿ' => 'y',
            'ł' => 'l',
            'ř' => 'r',
            'ğ' => 'g',
            c => c,
        })
        .collect()
}

/// Words of a closed set whose members exclude each other, so that one in
/// the place of another is another value ("the *east* bed" / "the *west*
/// bed"), never a paraphrase.
const CONTRAST: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "upstairs",
    "downstairs",
];

/// Number words, read as the number they name ("sixteen cores" is "16 cores").
const NUMBER_WORDS: &[(&str, &str)] = &[
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
    ("thirteen", "13"),
    ("fourteen", "14"),
    ("fifteen", "15"),
    ("sixteen", "16"),
    ("seventeen", "17"),
    ("eighteen", "18"),
    ("nineteen", "19"),
    ("twenty", "20"),
    ("thirty", "30"),
    ("forty", "40"),
    ("fifty", "50"),
    ("sixty", "60"),
    ("seventy", "70"),
    ("eighty", "80"),
    ("ninety", "90"),
    ("hundred", "100"),
    ("third", "3"),
    ("fourth", "4"),
    ("fifth", "5"),
];

/// A number written as a word ("sixteen", "third"), lower case.
pub fn is_number_word(w: &str) -> bool {
    NUMBER_WORDS.iter().any(|(k, _)| *k == w)
}

/// The amount `w` (lower case) writes: digits ("1.5"), a number word
/// ("twelve") or tens and units joined ("forty-eight"); `None` otherwise.
pub fn number_value(w: &str) -> Option<f64> {
    if let Ok(v) = w.parse::<f64>() {
        return Some(v);
    }
    let word = |x: &str| {
        NUMBER_WORDS
            .iter()
            .find(|(k, _)| *k == x)
            .and_then(|(_, v)| v.parse::<f64>().ok())
    };
    match w.split_once('-') {
        Some((tens, unit)) => Some(word(tens)? + word(unit)?),
        None => word(w),
    }
}

/// A word's stem, and a hyphenated stem's parts too ("feature-flag" is
/// also "feature" and "flag"), for comparing a word written joined or
/// apart.
pub fn stem_parts(w: &Word) -> Vec<String> {
    let mut v = vec![w.stem.clone()];
    v.extend(compound_parts(&w.stem));
    v
}

/// The stems of a hyphenated stem's parts ("feature-flag": "featur",
/// "flag"); none for a word without a hyphen.
fn compound_parts(s: &str) -> Vec<String> {
    if !s.contains('-') {
        return Vec::new();
    }
    s.split('-').filter(|p| !p.is_empty()).map(stem).collect()
}

/// A number, time or ordinal written another way, in one form: `2am`,
/// `2:00`, `02:00` -> `02:00`; `2:30pm` -> `14:30`; `20th` -> `20`;
/// `sixteen` -> `16`. `None` when `w` (lower case) is none of those.
fn canonical_value(w: &str) -> Option<String> {
    if let Some((_, n)) = NUMBER_WORDS.iter().find(|(k, _)| *k == w) {
        return Some(n.to_string());
    }
    // Thousands separators: 1,100 is 1100.
    if w.contains(',') && w.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return Some(w.replace(',', ""));
    }
    let digits_end = w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len());
    if digits_end == 0 || digits_end > 4 {
        return None;
    }
    let (num, rest) = w.split_at(digits_end);
    match rest {
        "st" | "nd" | "rd" | "th" => {
            let n = num.trim_start_matches('0');
            return Some(if n.is_empty() { "0" } else { n }.to_string());
        }
        "" => return None,
        _ => {}
    }
    // Times: H[:MM][am|pm]
    let (hm, suffix) = if let Some(x) = rest.strip_suffix("am") {
        (x, Some(false))
    } else if let Some(x) = rest.strip_suffix("pm") {
        (x, Some(true))
    } else {
        (rest, None)
    };
    let minutes = match hm {
        "" if suffix.is_some() => 0,
        m if m.len() == 3 && m.starts_with(':') && m[1..].bytes().all(|b| b.is_ascii_digit()) => {
            m[1..].parse().ok()?
        }
        _ => return None,
    };
    let mut hour: u32 = num.parse().ok()?;
    if hour > 24 || minutes > 59 {
        return None;
    }
    match suffix {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    Some(format!("{hour:02}:{minutes:02}"))
}

/// A verb and its preposition that imply an attribute: "works from
/// Lisbon" is where someone is based (not "works at Bosch"), "reports to
/// Ana" who leads them.
const IMPLIES_WITH: &[(&str, &str, &str)] = &[
    ("works", "from", "live"),
    ("work", "from", "live"),
    ("working", "from", "live"),
    ("reports", "to", "lead"),
    ("report", "to", "lead"),
    ("reporting", "to", "lead"),
];

/// Verbs that imply an attribute: "moved to Paris" is about where someone
/// lives, "joined Bosch" about where they work.
const IMPLIES: &[(&str, &str)] = &[
    ("moved", "live"),
    ("move", "live"),
    ("moves", "live"),
    ("relocated", "live"),
    ("relocate", "live"),
    ("joined", "work"),
    ("hired", "work"),
    ("quit", "work"),
    ("retired", "work"),
];

/// Words that name an attribute, with the attribute: two statements about
/// one subject that name the same attribute in other words ("X's manager
/// is Ana" / "X reports to Ben"; "is due on 3 May" / "the deadline slipped
/// to 9 May"; "owned by the Data team" / "ownership passed to …") are about
/// one attribute, and those words are not a difference between them.
const ATTRIBUTE_WORDS: &[(&str, &str)] = &[
    ("manager", "lead"),
    ("boss", "lead"),
    ("supervisor", "lead"),
    ("lead", "lead"),
    ("leads", "lead"),
    ("led", "lead"),
    ("owner", "owner"),
    ("owners", "owner"),
    ("owned", "owner"),
    ("owns", "owner"),
    ("ownership", "owner"),
    ("maintainer", "owner"),
    ("maintained", "owner"),
    ("maintains", "owner"),
    ("based", "live"),
    ("lives", "live"),
    ("live", "live"),
    ("living", "live"),
    ("resides", "live"),
    ("database", "store"),
    ("datastore", "store"),
    ("db", "store"),
    ("stores", "store"),
    ("stored", "store"),
    ("persists", "store"),
    ("os", "os"),
    ("distro", "os"),
    ("reinstalled", "os"),
    ("region", "region"),
    ("due", "due"),
    ("deadline", "due"),
    ("extension", "phone"),
    ("office", "desk"),
    ("desk", "desk"),
    ("editor", "editor"),
    ("ide", "editor"),
    ("ram", "memory"),
    ("memory", "memory"),
    ("cpu", "cores"),
    ("cpus", "cores"),
    ("vcpus", "cores"),
    ("cores", "cores"),
];

/// Names whose kind is an attribute: a statement naming one of these
/// names that attribute ("migrated to Redis": where the data is stored;
/// "reinstalled with Debian": the operating system).
const KIND_OF_NAME: &[(&str, &str)] = &[
    ("postgres", "store"),
    ("postgresql", "store"),
    ("mysql", "store"),
    ("mariadb", "store"),
    ("mongodb", "store"),
    ("redis", "store"),
    ("cassandra", "store"),
    ("dynamodb", "store"),
    ("cockroachdb", "store"),
    ("sqlite", "store"),
    ("clickhouse", "store"),
    ("elasticsearch", "store"),
    ("opensearch", "store"),
    ("couchdb", "store"),
    ("neo4j", "store"),
    ("influxdb", "store"),
    ("timescaledb", "store"),
    ("bigquery", "store"),
    ("snowflake", "store"),
    ("ubuntu", "os"),
    ("debian", "os"),
    ("fedora", "os"),
    ("centos", "os"),
    ("rhel", "os"),
    ("linux", "os"),
    ("alpine", "os"),
    ("nixos", "os"),
    ("freebsd", "os"),
    ("openbsd", "os"),
    ("macos", "os"),
    ("opensuse", "os"),
    ("gentoo", "os"),
    ("vim", "editor"),
    ("neovim", "editor"),
    ("emacs", "editor"),
    ("vscode", "editor"),
    ("intellij", "editor"),
    ("pycharm", "editor"),
    ("sublime", "editor"),
    ("helix", "editor"),
    ("xcode", "editor"),
    ("goland", "editor"),
    ("webstorm", "editor"),
];

/// What kind of thing a name is, for names whose kind is well known in
/// software and daily life (`Kubernetes` a platform, `Go` a language,
/// `Slack` a chat, `api.acme.io` an address): two values of different
/// kinds are values of different attributes ("is written in Go" / "moved
/// to Kubernetes").
const VALUE_KINDS: &[(&str, &[&str])] = &[
    (
        "language",
        &[
            "go",
            "golang",
            "rust",
            "python",
            "java",
            "kotlin",
            "swift",
            "typescript",
            "javascript",
            "ruby",
            "php",
            "elixir",
            "erlang",
            "scala",
            "haskell",
            "clojure",
            "c#",
            "f#",
            "dart",
            "lua",
            "perl",
            "zig",
            "julia",
            "c++",
            "ocaml",
            "groovy",
        ],
    ),
    (
        "platform",
        &[
            "kubernetes",
            "k8s",
            "nomad",
            "ecs",
            "eks",
            "gke",
            "aks",
            "heroku",
            "vercel",
            "netlify",
            "fly.io",
            "lambda",
            "fargate",
            "openshift",
            "ec2",
            "railway",
            "cloud run",
            "app engine",
        ],
    ),
    (
        "ci",
        &[
            "jenkins",
            "circleci",
            "travis",
            "buildkite",
            "teamcity",
            "drone",
            "bamboo",
            "concourse",
            "woodpecker",
            "github actions",
            "gitlab ci",
            "azure pipelines",
        ],
    ),
    (
        "chat",
        &[
            "slack",
            "teams",
            "discord",
            "zulip",
            "mattermost",
            "telegram",
            "whatsapp",
            "signal",
            "google chat",
        ],
    ),
    (
        "framework",
        &[
            "react",
            "vue",
            "svelte",
            "sveltekit",
            "angular",
            "next.js",
            "nextjs",
            "nuxt",
            "remix",
            "astro",
            "htmx",
            "ember",
            "django",
            "flask",
            "fastapi",
            "rails",
            "laravel",
            "spring",
            "express",
            "phoenix",
            "nestjs",
        ],
    ),
    (
        "queue",
        &[
            "kafka", "rabbitmq", "sqs", "nats", "pulsar", "kinesis", "activemq", "zeromq",
        ],
    ),
    (
        "cloud",
        &[
            "aws",
            "gcp",
            "azure",
            "digitalocean",
            "hetzner",
            "linode",
            "ovh",
            "google cloud",
        ],
    ),
    (
        "packages",
        &[
            "npm", "pnpm", "yarn", "pip", "poetry", "uv", "pipenv", "conda", "bundler", "composer",
        ],
    ),
    (
        "forge",
        &["github", "gitlab", "bitbucket", "gitea", "codeberg"],
    ),
    (
        "monitoring",
        &[
            "datadog",
            "grafana",
            "prometheus",
            "sentry",
            "honeycomb",
            "splunk",
            "loki",
            "kibana",
            "new relic",
        ],
    ),
    ("alerting", &["pagerduty", "opsgenie"]),
    (
        "auth",
        &[
            "oauth", "saml", "okta", "auth0", "keycloak", "ldap", "sso", "jwt",
        ],
    ),
    (
        "iac",
        &[
            "terraform",
            "pulumi",
            "ansible",
            "cloudformation",
            "chef",
            "puppet",
        ],
    ),
    (
        "flags",
        &["launchdarkly", "unleash", "flagsmith", "growthbook"],
    ),
    ("payments", &["stripe", "adyen", "paypal", "braintree"]),
    ("email", &["sendgrid", "mailgun", "postmark", "mailchimp"]),
    (
        "tests",
        &[
            "jest",
            "vitest",
            "pytest",
            "mocha",
            "cypress",
            "playwright",
            "selenium",
            "junit",
            "rspec",
        ],
    ),
    (
        "bundler",
        &[
            "webpack",
            "vite",
            "esbuild",
            "rollup",
            "parcel",
            "turbopack",
        ],
    ),
    (
        "lint",
        &[
            "eslint", "biome", "prettier", "ruff", "black", "flake8", "pylint", "rubocop",
            "clippy", "rustfmt",
        ],
    ),
    ("runtime", &["node", "node.js", "nodejs", "deno", "bun"]),
    (
        "browser",
        &["chrome", "firefox", "safari", "chromium", "brave"],
    ),
    // Names of a kind `KIND_OF_NAME` lacks; its own are read from it.
    ("store", &["valkey", "memcached", "firestore", "supabase"]),
    ("os", &["windows"]),
];

/// The kinds of the names among `words` (value words of an analysed
/// statement) whose stems are in `stems`: a known name, or an address
/// written with dots. Two-word names ("GitHub Actions") are read first.
pub fn value_kinds(
    words: &[Word],
    stems: &std::collections::BTreeSet<String>,
) -> std::collections::BTreeSet<&'static str> {
    let kind = |name: &str| {
        VALUE_KINDS
            .iter()
            .find(|(_, names)| names.contains(&name))
            .map(|(k, _)| *k)
            .or_else(|| {
                KIND_OF_NAME
                    .iter()
                    .find(|(x, _)| *x == name)
                    .map(|(_, k)| *k)
            })
    };
    let mut out = std::collections::BTreeSet::new();
    let mut skip = false;
    for (i, w) in words.iter().enumerate() {
        if std::mem::take(&mut skip) || !w.value || !stems.contains(&w.stem) {
            continue;
        }
        let lw = w.raw.to_lowercase();
        let lw = lw.trim_end_matches("'s").trim_end_matches("’s");
        let next = words.get(i + 1).filter(|n| n.pos == w.pos + 1);
        // A provider's product is of the product's kind ("AWS Lambda").
        if kind(lw) == Some("cloud")
            && let Some(k) = next.and_then(|n| kind(&n.raw.to_lowercase()))
        {
            out.insert(k);
            skip = true;
        } else if let Some(next) = next
            && let Some(k) = kind(&format!("{lw} {}", next.raw.to_lowercase()))
        {
            out.insert(k);
            skip = true;
        } else if let Some(k) = kind(lw) {
            out.insert(k);
        } else if is_dotted_name(lw) {
            out.insert("address");
        }
    }
    out
}

/// The words a question about each attribute uses ("Who is Ana's
/// *manager*?", "Which *database* …?"): indexed with a statement that names
/// the attribute in other words ("Ana reports to Ben", "… was migrated to
/// Redis"), so that the question finds it.
const ATTRIBUTE_TERMS: &[(&str, &str)] = &[
    ("lead", "manager lead"),
    ("owner", "owner owned"),
    ("live", "based lives"),
    ("work", "works"),
    ("store", "database stores data"),
    ("os", "operating system"),
    ("region", "region"),
    ("due", "deadline due"),
    ("phone", "phone extension"),
    ("desk", "office"),
    ("editor", "editor"),
];

/// The question words of the attributes a short statement names in other
/// words ([`ATTRIBUTE_TERMS`]); none for a text of more than 40 words,
/// which names many things. With `named_only`, only of the attributes the
/// statement names with words ("reports to"), not those of a name's kind
/// ("Redis"): the text embedded with a statement stays close to it.
pub fn attribute_terms(statement: &str, named_only: bool) -> Vec<String> {
    if statement.split_whitespace().count() > 40 {
        return Vec::new();
    }
    let a = Analysis::new(statement);
    let lower = a.lower_words();
    // A name of a known kind says which attribute only after a verb that
    // gives a thing that attribute ("was *migrated* to Redis", "*uses*
    // Emacs"), not in passing ("the build needs cmake on Debian").
    const GIVING: &[&str] = &[
        "migrated",
        "moved",
        "switched",
        "uses",
        "use",
        "runs",
        "run",
        "replaced",
        "upgraded",
        "installed",
    ];
    let giving = GIVING.iter().any(|g| lower.contains(*g));
    let mut out = Vec::new();
    for (attr, stems) in a.attributes() {
        if stems.is_empty() && (!giving || named_only) {
            continue;
        }
        if let Some((_, terms)) = ATTRIBUTE_TERMS.iter().find(|(k, _)| *k == attr) {
            for t in terms.split(' ') {
                if !lower.contains(t) && !out.iter().any(|o| o == t) {
                    out.push(t.to_string());
                }
            }
        }
    }
    out
}

/// A head noun whose modifier is its one value: "in the *beta* phase" and
/// "in the *rollout* phase" cannot both hold.
pub const SINGLE_VALUED: &[&str] = &["phase", "stage", "status", "priority", "severity", "tier"];

/// A service, job or component named as software is named, in lower case
/// with hyphens: `search-sync`, `ledger-api`, `billing-worker` (not
/// "co-worker" or "long-term").
pub fn is_service_name(w: &str) -> bool {
    const LAST: &[&str] = &[
        "api",
        "sync",
        "worker",
        "workers",
        "service",
        "svc",
        "db",
        "cache",
        "indexer",
        "gateway",
        "proxy",
        "server",
        "bot",
        "cron",
        "queue",
        "consumer",
        "producer",
        "scheduler",
        "daemon",
        "exporter",
        "collector",
        "router",
        "relay",
        "broker",
        "registry",
        "controller",
        "operator",
        "ingest",
        "ingester",
        "loader",
        "etl",
        "web",
        "ui",
        "cli",
        "backend",
        "frontend",
        "runner",
        "mailer",
        "notifier",
    ];
    const NOT_FIRST: &[&str] = &[
        "co", "ex", "non", "pre", "re", "self", "sub", "anti", "multi", "web", "mail", "e",
    ];
    let parts: Vec<&str> = w.split('-').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[0].len() >= 3
        && !NOT_FIRST.contains(&parts[0])
        && parts.last().is_some_and(|l| LAST.contains(l))
}

/// Kinds of things named with the kind first ("Project Alder", "Host
/// pallas3", "Team Lynx"): curation takes "Project Alder" and "Alder" for
/// one subject, placement files each such thing under its own topic.
pub const NAMED_KINDS: &[&str] = &[
    "project", "host", "server", "team", "service", "client", "customer", "repo", "cluster", "app",
    "product",
];

/// Titles before a person's name ("Dr Okonkwo", "Mr Haddad").
pub const TITLES: &[&str] = &[
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "prof",
    "professor",
    "doctor",
    "sir",
    "dame",
    "lord",
    "lady",
    "st",
    "saint",
    "coach",
    "nurse",
];

/// A cloud region written as providers write them (`eu-central-1`,
/// `us-east-2`, `europe-west1`).
fn is_region(w: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d|(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)\d)$")
            .expect("valid regex")
    })
    .is_match(w)
}

/// Words that say a fact changed (present in the new statement only). The
/// negation words among them count only with the statement's polarity.
const CHANGE: &[&str] = &[
    "moved",
    "move",
    "moves",
    "moving",
    "relocated",
    "now",
    "switched",
    "switch",
    "switches",
    "changed",
    "instead",
    "anymore",
    "longer",
    "new",
    "replaced",
    "replace",
    "replaces",
    "migrated",
    "migrate",
    "upgraded",
    "upgrade",
    "downgraded",
    "renamed",
    "became",
    "become",
    "becomes",
    "left",
    "quit",
    "joined",
    "retired",
    "no",
    "not",
    "never",
    "stopped",
    "ended",
    "former",
    "formerly",
    "previously",
    "nowadays",
    "transferred",
    "again",
    "raised",
    "increased",
    "decreased",
    "lowered",
    "reduced",
    "cut",
    "pushed",
    "postponed",
    "delayed",
    "rescheduled",
    "bumped",
    "slipped",
    "dropped",
    "rose",
    "sold",
    "cancelled",
    "canceled",
    "finished",
    "changes",
    "starting",
    "henceforth",
    "swapped",
    "rehomed",
    "promoted",
    "demoted",
    "extended",
    "shifted",
    "reassigned",
    "upped",
    "grew",
    "shrank",
    "doubled",
    "halved",
    "tripled",
    "repaired",
    "restored",
    "resolved",
];

/// Two words that together say a fact changed ("as of June", "took over
/// as lead", "ownership passed to", "the rent goes up to").
const CHANGE_WITH: &[(&str, &str)] = &[
    ("as", "of"),
    ("took", "over"),
    ("takes", "over"),
    ("passed", "to"),
    ("handed", "over"),
    ("handed", "to"),
    ("goes", "up"),
    ("went", "up"),
    ("goes", "down"),
    ("went", "down"),
    ("from", "now"),
    ("going", "forward"),
    ("down", "to"),
    ("these", "days"),
    ("gave", "up"),
    ("given", "up"),
    ("gives", "up"),
    // A repair ends a broken state ("the coffee machine was fixed this
    // morning"); "fixed" alone is also an adjective ("a fixed IP").
    ("was", "fixed"),
    ("were", "fixed"),
    ("got", "fixed"),
    ("been", "fixed"),
    ("is", "fixed"),
    ("are", "fixed"),
];

/// Words that open a noun phrase: a change word right after one and
/// before a noun is an adjective ("the raised bed").
pub(crate) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "our", "my", "his", "her",
    "your",
];

/// Change words that also say what is done as a habit ("we cut the hedge
/// every May", "the job moves logs to S3 daily").
const HABITUAL_FORMS: &[&str] = &[
    "cut", "move", "moves", "switch", "switches", "replace", "replaces", "migrate", "upgrade",
    "changes", "become", "becomes", "drops",
];

/// Words of a repeated time: with one, a present-tense verb is a habit.
const FREQUENCY: &[&str] = &[
    "every", "each", "daily", "weekly", "monthly", "yearly", "annually", "nightly", "hourly",
    "always", "usually", "whenever",
];

/// Words before a change word that make it a plan or an obligation.
const MODAL: &[&str] = &[
    "will", "shall", "must", "should", "would", "could", "might", "may", "going", "want", "wants",
    "wanted", "need", "needs", "intend", "intends", "hope", "hopes", "until",
];

/// Change words that count in a plan too: time and negation.
const UNPLANNED: &[&str] = &["now", "no", "not", "never", "longer", "anymore", "instead"];

/// Words that say the new statement adds to an existing one.
const ADDITION: &[&str] = &[
    "also",
    "too",
    "additionally",
    "addition",
    "another",
    "besides",
    "plus",
    "further",
    "furthermore",
    "well",
];

const NEGATION: &[&str] = &[
    "not", "no", "never", "n't", "none", "nobody", "without", "dislike", "dislikes", "hate",
    "hates", "avoid", "avoids", "lack", "lacks",
];

/// Words that say the old statement was wrong all along (not that the
/// world changed): the entry is corrected in place.
const CORRECTION: &[&str] = &[
    "correction",
    "corrected",
    "misremembered",
    "wrong",
    "mistake",
    "mistaken",
    "typo",
    "sorry",
    "actually",
    "misread",
    "misheard",
    "misspelled",
    "misspelt",
    "mistyped",
    "misspoke",
    "miswrote",
    "transposed",
    "oops",
];

/// Nouns naming a person (or pet) by their relation to someone: "Tariq's
/// *son*", "my *sister*" is another subject than Tariq or the writer.
const RELATIVES: &[&str] = &[
    "son",
    "sons",
    "daughter",
    "daughters",
    "child",
    "children",
    "kid",
    "kids",
    "baby",
    "sister",
    "sisters",
    "brother",
    "brothers",
    "sibling",
    "siblings",
    "mother",
    "mom",
    "mum",
    "father",
    "dad",
    "parent",
    "parents",
    "wife",
    "husband",
    "spouse",
    "partner",
    "fiance",
    "fiancee",
    "boyfriend",
    "girlfriend",
    "grandmother",
    "grandma",
    "grandfather",
    "grandpa",
    "grandson",
    "granddaughter",
    "grandchildren",
    "aunt",
    "uncle",
    "cousin",
    "niece",
    "nephew",
    "friend",
    "friends",
    "roommate",
    "flatmate",
    "neighbour",
    "neighbor",
    "colleague",
    "coworker",
    "boss",
    "assistant",
    "dog",
    "cat",
    "puppy",
    "kitten",
    "pet",
];

/// Person pronouns that make the writer the subject.
const FIRST_PERSON: &[&str] = &[
    "i", "my", "me", "we", "our", "us", "i'm", "i've", "i'd", "i'll", "we're", "we've", "we'd",
    "we'll",
];

fn fold(stem: &str) -> String {
    for g in SYNONYMS {
        if g.contains(&stem) {
            return g[0].to_string();
        }
    }
    stem.to_string()
}

/// A light English stemmer: enough to match plurals and tenses.
pub fn stem(word: &str) -> String {
    let w = fold_accents(&word.to_lowercase());
    let w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(&w)
        .to_string();
    if let Some(v) = canonical_value(&w) {
        return v;
    }
    // Before the digits check: "k8s" is Kubernetes.
    for g in SYNONYMS {
        if g.contains(&w.as_str()) {
            return g[0].to_string();
        }
    }
    if w.chars().any(|c| c.is_ascii_digit()) {
        return w;
    }
    let n = w.chars().count();
    // A verb and its noun ("meditates" / "meditation", "rotate" /
    // "rotation") share a stem.
    const NOT_VERBS: &[&str] = &[
        "station", "stations", "nation", "nations", "ration", "rations",
    ];
    // A verb and "-ation" ("indent" / "indentation", "install" /
    // "installation"): the verb, when WordNet has it.
    let verb_of = |suffix: &str| {
        w.strip_suffix(suffix)
            .filter(|v| v.len() >= 4 && crate::wordnet::is_verb(v))
            .map(str::to_string)
    };
    let s = if NOT_VERBS.contains(&w.as_str()) {
        w.clone()
    } else if let Some(v) = verb_of("ations").or_else(|| verb_of("ation")) {
        v
    } else if n > 7 && w.ends_with("ations") {
        w[..w.len() - 4].to_string()
    } else if n > 6 && w.ends_with("ation") {
        w[..w.len() - 3].to_string()
    } else if n > 6 && (w.ends_with("ates") || w.ends_with("ated")) {
        w[..w.len() - 2].to_string()
    } else if n > 5 && w.ends_with("ate") {
        w[..w.len() - 1].to_string()
    } else if n > 5 && w.ends_with("ing") {
        w[..w.len() - 3].to_string()
    } else if n > 4 && w.ends_with("ied") {
        format!("{}y", &w[..w.len() - 3])
    } else if n > 4 && w.ends_with("ed") {
        w[..w.len() - 2].to_string()
    } else if n > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if n > 4
        && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes") || w.ends_with("sses"))
    {
        w[..w.len() - 2].to_string()
    } else if n > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        w[..w.len() - 1].to_string()
    } else {
        w.clone()
    };
    // "changed" -> "chang", "change" -> "chang": drop a final e for matching.
    let s = if s.len() > 4 && s.ends_with('e') {
        s[..s.len() - 1].to_string()
    } else {
        s
    };
    // British and American spellings: "normalises" / "normalizes",
    // "analyse" / "analyze" (not "size", "prize").
    let s = if s.len() > 5 {
        s.replace("iz", "is").replace("yz", "ys")
    } else {
        s
    };
    fold(&s)
}

fn is_token_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Splits into words: letters/digits, keeping `.`, `:`, `-`, `+` and `'`
/// inside a token (versions, times, names like `deploy-bot`, `O'Neil`).
pub fn words_of(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let joins = (matches!(c, '.' | ':' | '-' | '\'' | '’' | '+' | '#')
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(|n| is_token_char(*n)))
            // A leading `#` names a channel or a tag (`#release-train`).
            || (c == '#'
                && cur.is_empty()
                && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
                && (i == 0 || !is_token_char(chars[i - 1])))
            // 1,100 and 3,000: one number
            || (c == ','
                && cur.chars().last().is_some_and(|p| p.is_ascii_digit())
                && (1..=3).all(|d| chars.get(i + d).is_some_and(|n| n.is_ascii_digit()))
                && chars.get(i + 4).is_none_or(|n| !n.is_ascii_digit()));
        if is_token_char(c) || joins {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        i += 1;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Analysed statement.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub words: Vec<Word>,
    /// `@user` for first-person statements, else the first proper name among
    /// the opening words (lower-cased), if any.
    pub subject: Option<String>,
    /// The subject as written (for messages).
    pub subject_text: Option<String>,
    pub negated: bool,
    /// The subject is a thing named after a person's role toward it ("Zane
    /// leads project Mira": Mira); the names before it are values.
    pub by_role: bool,
    /// Positions of the words a comma follows.
    pub comma_after: BTreeSet<usize>,
}

/// Labels that open a note and say nothing of its subject ("Note: …",
/// "To recap: …"), skipped before the statement is analysed.
const LABELS: &[&str] = &[
    "note",
    "notes",
    "reminder",
    "recap",
    "to recap",
    "fyi",
    "btw",
    "ps",
    "p.s.",
    "nb",
    "info",
    "heads up",
    "for the record",
    "summary",
    "remember",
    "important",
    "tip",
    "pro tip",
    "note to self",
    "heads-up",
    "tl;dr",
    "tldr",
    "context",
];

/// `text` without an opening label and its colon.
/// Common ways of saying the same time or frequency, written one way, so
/// that "once a month" and "monthly", "twice a day" and "2 times daily",
/// "half a minute" and "30 seconds", "noon" and "12:00", "two in the
/// morning" and "2am", "the fifth of each month" and "the 5th of each
/// month" compare as the same words and values.
pub fn same_words(text: &str) -> String {
    static RULES: std::sync::OnceLock<Vec<(regex::Regex, &'static str)>> =
        std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| {
        let r = |p: &str| regex::Regex::new(&format!("(?i){p}")).expect("valid regex");
        vec![
            (r(r"\bhalf a minute\b"), "30 secs"),
            (r(r"\bhalf an hour\b"), "30 minutes"),
            (r(r"\b(?:a )?quarter of an hour\b"), "15 minutes"),
            (r(r"\bper annum\b"), "yearly"),
            // A rate written with a slash ("£450/month", "3/wk").
            (r(r"/(?:day|d)\b"), " daily"),
            (r(r"/(?:week|wk)\b"), " weekly"),
            (r(r"/(?:month|mo|mth)\b"), " monthly"),
            (r(r"/(?:year|yr|annum)\b"), " yearly"),
            (r(r"/(?:hour|hr)\b"), " hourly"),
            (r(r"/min\b"), " per minute"),
            (r(r"\breqs?\b"), "requests"),
            (r(r"\bannually\b"), "yearly"),
            (r(r"\btwice\b"), "2 times"),
            (r(r"\bthrice\b"), "3 times"),
            (r(r"\b(?:noon|midday)\b"), "12:00"),
            (r(r"\bmidnight\b"), "00:00"),
            (r(r"\bevery (?:other|second) "), "every 2 "),
            // Abbreviations people write for the long form (and back).
            (r(r"\bvirtual machines?\b"), "VM"),
            (r(r"\bpull requests?\b"), "PR"),
            (r(r"\bproduct owners?\b"), "PO"),
            (r(r"\bblood pressure\b"), "BP"),
            (r(r"\bcontinuous integration\b"), "CI"),
            (r(r"\bsingle sign-on\b"), "SSO"),
            (r(r"\btwo-factor auth(?:entication)?\b"), "2FA"),
            (r(r"\boperating systems?\b"), "OS"),
            (r(r"\bwork(?:s|ing|ed)? from home\b"), "WFH"),
            (r(r"\bas soon as possible\b"), "ASAP"),
            (r(r"\bappts?\b\.?"), "appointment"),
            (r(r"\b(\d[\d,.]*) ?l\b"), "$1 litres"),
            (r(r"\bprior to\b"), "before"),
            (r(r"\b(?:can't|cannot|can not|can’t) stand\b"), "hates"),
            (r(r"\bleave(s?) at\b"), "depart$1 at"),
            (r(r"(?-i)\bUK\b"), "British"),
            // A code of two capitals and a number, spaced or not ("KX
            // 412", "KX412"): a flight, a route, a form.
            (r(r"(?-i)\b([A-Z]{2})(\d{2,4})\b"), "$1 $2"),
            (r(r"\bdark (?:themes?|ui)\b"), "dark mode"),
            (r(r"\blight (?:themes?|ui)\b"), "light mode"),
            (r(r"(\w)(?:'s|’s) girl\b"), "$1's daughter"),
            (r(r"(\w)(?:'s|’s) boy\b"), "$1's son"),
            // "half a tablet" is 0.5 of one (after "half an hour" above).
            (r(r"\bhalf an? "), "0.5 "),
            // A reading of two numbers ("130 over 80") as written ("130/80").
            (r(r"\b(\d{2,3}) over (\d{2,3})\b"), "$1/$2"),
            (r(r"\bpersonal bests?\b"), "PB"),
            (r(r"\bgeneral practitioners?\b"), "GP"),
            (r(r"\b(?:mum|mom|mother) and (?:dad|father)\b"), "parents"),
            (r(r"\b(?:dad|father) and (?:mum|mom|mother)\b"), "parents"),
            (
                r(r"\b(?:is|are) (?:a )?teetotal(?:ler|lers)?\b"),
                "does not drink alcohol",
            ),
        ]
    });
    // A number and its unit written together ("64GB", "500mg", "2.5GHz")
    // are the number and the unit.
    static UNIT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let mut out = rewrite(
        text,
        &UNIT,
        r"(?i)\b(\d+(?:[.,]\d+)?)(gb|tb|mb|kb|gib|mib|tib|mbit|gbit|mg|kg|km|ml|ms|ghz|mhz|kwh|cm|mm|g|h|hrs?|mins?|mph|tbsp|tsp)\b",
        |c: &regex::Captures| format!("{} {}", &c[1], &c[2]),
    );
    // Seconds after a number, however written ("30s", "30 sec", "30
    // seconds"): one word. Not a decade or an age ("the 1990s", "in her
    // 30s"), and only after a number ("a second opinion" is no unit).
    static SECONDS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &SECONDS,
        r"(?i)\b(\d+(?:\.\d+)?)(s|\s?(?:seconds?|secs?))\b",
        |c: &regex::Captures| {
            let decade = [
                "the", "his", "her", "their", "my", "our", "your", "early", "mid", "late", "in",
            ]
            .contains(&word_before(&out, c.get(0).map_or(0, |m| m.start())).as_str());
            if c[2].eq_ignore_ascii_case("s") && decade {
                c[0].to_string()
            } else {
                format!("{} secs", &c[1])
            }
        },
    );
    // Smaller metric units in the larger one ("180 cm" is "1.8 m", "800
    // ms" is "0.8 secs"), so a length or a time written in either holds
    // the same value.
    static METRIC: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &METRIC,
        r"(?i)\b(\d+(?:\.\d+)?) (cm|mm|ms)\b",
        |c: &regex::Captures| {
            let Ok(n) = c[1].parse::<f64>() else {
                return c[0].to_string();
            };
            let (factor, unit) = match c[2].to_lowercase().as_str() {
                "cm" => (100.0, "m"),
                "mm" => (1000.0, "m"),
                _ => (1000.0, "secs"),
            };
            let v = format!("{:.6}", n / factor);
            let v = v.trim_end_matches('0').trim_end_matches('.');
            format!("{v} {unit}")
        },
    );
    // "1.8 m" and "1.8m": the number and the metre.
    static METRES: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &METRES,
        r"\b(\d+(?:\.\d+)?)m\b",
        |c: &regex::Captures| format!("{} m", &c[1]),
    );
    // A host and its port written together ("redis.internal:6380") are
    // the host and the port.
    static HOST_PORT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &HOST_PORT,
        r"(?i)\b((?:[a-z0-9][a-z0-9-]*\.)+[a-z][a-z0-9-]*|localhost):(\d{2,5})\b",
        |c: &regex::Captures| format!("{} port {}", &c[1], &c[2]),
    );
    // An amount in thousands ("€50k", "50k euros") is the whole number.
    static THOUSANDS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &THOUSANDS,
        r"(?i)([$€£] ?)?\b(\d{1,3}(?:\.\d{1,3})?)k\b( (?:euros?|eur|dollars?|usd|pounds?|gbp)\b)?",
        |c: &regex::Captures| {
            // "a 5k" is a race.
            let prev = word_before(&out, c.get(0).map_or(0, |m| m.start()));
            if c.get(1).is_none() && c.get(3).is_none() && matches!(prev.as_str(), "a" | "the") {
                return c[0].to_string();
            }
            // "115.2k" is 115200: the decimals move three places.
            let (int, frac) = c[2].split_once('.').unwrap_or((&c[2], ""));
            let n = format!("{int}{frac:0<3}");
            format!(
                "{}{}{}",
                c.get(1).map_or("", |m| m.as_str()),
                n.trim_start_matches('0'),
                c.get(3).map_or("", |m| m.as_str())
            )
        },
    );
    // A currency sign before an amount ("£1,450", "$30") is its unit.
    static CURRENCY: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &CURRENCY,
        r"([$€£]) ?(\d[\d,]*(?:\.\d+)?)\b",
        |c: &regex::Captures| {
            let unit = match &c[1] {
                "$" => "dollars",
                "€" => "euros",
                _ => "pounds",
            };
            format!("{} {unit}", &c[2])
        },
    );
    // "two hundred", "twelve hundred", "three thousand" -> 200, 1200, 3000.
    static HUNDREDS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &HUNDREDS,
        r"(?i)\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|an?) (hundred|thousand)\b",
        |c: &regex::Captures| {
            let w = c[1].to_lowercase();
            let n: u64 = if w == "a" || w == "an" {
                1
            } else {
                canonical_value(&w)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
            };
            let m = if c[2].eq_ignore_ascii_case("hundred") {
                100
            } else {
                1000
            };
            (n * m).to_string()
        },
    );
    // A month's short name next to a day or a year ("Feb 3", "3 Feb
    // 2026") is the month; alone ("Jan") it may be a name.
    static MONTH: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &MONTH,
        r"\b(\d{1,2}(?:st|nd|rd|th)? (?:of )?)?(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?( \d{1,4}\b)?",
        |c: &regex::Captures| {
            if c.get(1).is_none() && c.get(3).is_none() {
                return c[0].to_string();
            }
            let full = match &c[2] {
                "Jan" => "January",
                "Feb" => "February",
                "Mar" => "March",
                "Apr" => "April",
                "Jun" => "June",
                "Jul" => "July",
                "Aug" => "August",
                "Sep" | "Sept" => "September",
                "Oct" => "October",
                "Nov" => "November",
                _ => "December",
            };
            format!(
                "{}{full}{}",
                c.get(1).map_or("", |m| m.as_str()),
                c.get(3).map_or("", |m| m.as_str())
            )
        },
    );
    // "a 3-day week", "a four-day week" -> "3 days a week" (then weekly).
    static SPAN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &SPAN,
        r"(?i)\b(?:an? )?(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)-(day|hour|night) (week|day|month)\b",
        |c: &regex::Captures| format!("{} {}s a {}", &c[1], &c[2], &c[3]),
    );
    for (re, to) in rules {
        if re.is_match(&out) {
            out = re.replace_all(&out, *to).into_owned();
        }
    }
    // "once a week", "every month", "per day", "3 days a week", "180
    // euros a year" -> "weekly", "monthly", "daily"…: "a"/"an" only after
    // a count, an amount or a unit ("ships in a week" is a time, not a
    // frequency); never before "ago", "later", "this"….
    static FREQ: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &FREQ,
        r"(?i)(?:\b([\w$€£,.]+) )?\b(once |)(a|an|per|each|every) (hour|day|night|week|month|year)\b( \w+)?",
        |c: &regex::Captures| {
            let before = c.get(1).map_or("", |m| m.as_str());
            let next = c.get(5).map_or("", |m| m.as_str());
            let n = next.trim().to_lowercase();
            let time = [
                "ago", "later", "earlier", "before", "after", "from", "or", "and", "this", "next",
                "last",
            ]
            .contains(&n.as_str());
            let article = matches!(c[3].to_lowercase().as_str(), "a" | "an");
            let b = before.to_lowercase();
            let counted = !c[2].is_empty()
                || b.chars()
                    .any(|ch| ch.is_ascii_digit() || matches!(ch, '$' | '€' | '£'))
                || canonical_value(&b).is_some()
                || UNITS.contains(&stem(&b).as_str())
                || [
                    "times", "days", "nights", "hours", "weeks", "months", "sessions",
                ]
                .contains(&b.as_str());
            // "the first of every month" is a day of the month.
            if time || (article && !counted) || b == "of" {
                return c[0].to_string();
            }
            let ly = per_unit(&c[4]);
            let lead = if before.is_empty() {
                String::new()
            } else {
                format!("{before} ")
            };
            format!("{lead}{ly}{next}")
        },
    );
    // "partitioned by month", "paid by the hour" -> "monthly", "hourly".
    static BY_UNIT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &BY_UNIT,
        r"(?i)\bby (?:the )?(hour|day|week|month|year)\b",
        |c: &regex::Captures| per_unit(&c[1]).to_string(),
    );
    // "two in the morning" -> "2am", "7 in the evening" -> "7pm".
    static DAYTIME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &DAYTIME,
        r"(?i)\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?: o'clock)? (in the morning|in the afternoon|in the evening|at night)\b",
        |c: &regex::Captures| {
            let h = canonical_value(&c[1].to_lowercase()).unwrap_or_else(|| c[1].to_string());
            let part = c[2].to_lowercase();
            // "2 at night" is 2am, "11 at night" 11pm, "12 at night" midnight.
            let night_am =
                part.contains("night") && h.parse::<u32>().is_ok_and(|n| n <= 5 || n == 12);
            if part.contains("night") && h == "12" {
                return "00:00".to_string();
            }
            let ap = if part.contains("morning") || night_am {
                "am"
            } else {
                "pm"
            };
            format!("{h}{ap}")
        },
    );
    // "at 7 and at 18" -> "at 07:00 and at 18:00": an hour of the day
    // (not "at 5%", "at 3.5", "at 40 km/h").
    static AT_HOUR: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &AT_HOUR,
        r"(?i)\bat (\d{1,2})(\s*(?:$|[,;.!?)](?:\s|$)|and\b|or\b|on\b|every\b|each\b|daily\b|sharp\b))",
        |c: &regex::Captures| match c[1].parse::<u32>() {
            Ok(h) if h <= 24 => format!("at {h:02}:00{}", &c[2]),
            _ => c[0].to_string(),
        },
    );
    // "the fifth of" -> "the 5th of" (a day of the month).
    static ORDINAL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    out = rewrite(
        &out,
        &ORDINAL,
        r"(?i)\bthe (first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth) (day )?of (each |every |the |this |next |last )?(month|january|february|march|april|may|june|july|august|september|october|november|december)\b",
        |c: &regex::Captures| {
            const ORD: &[&str] = &[
                "first",
                "second",
                "third",
                "fourth",
                "fifth",
                "sixth",
                "seventh",
                "eighth",
                "ninth",
                "tenth",
                "eleventh",
                "twelfth",
                "thirteenth",
                "fourteenth",
                "fifteenth",
                "sixteenth",
                "seventeenth",
                "eighteenth",
                "nineteenth",
                "twentieth",
            ];
            let w = c[1].to_lowercase();
            let n = ORD.iter().position(|o| *o == w).map_or(30, |i| i + 1);
            format!(
                "the {n}th of {}{}",
                c.get(3).map_or("", |m| m.as_str()),
                &c[4]
            )
        },
    );
    calendar_dates(&clock_phrases(&temperatures(&out)))
}

/// A calendar date in one style: "2026-12-14", "14 Dec 2026", "December
/// 14th, 2026", "the 14th of December 2026" -> "14 December 2026"; "31
/// Jan", "the 31st of January" -> "31 January". So the same date in
/// another style is the same values, and a month alone ("due in July")
/// is still a word of the date ("due on 31 July").
fn calendar_dates(text: &str) -> String {
    static ISO: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static DAY_FIRST: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static MONTH_FIRST: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let names = MONTHS.join("|");
    let written = |day: &str, month: &str, year: Option<&str>| -> Option<String> {
        let d: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
        let name = MONTHS.iter().find(|n| n.eq_ignore_ascii_case(month))?;
        let name = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
        Some(match year {
            Some(y) => format!("{d} {name} {y}"),
            None => format!("{d} {name}"),
        })
    };
    // ISO dates standing alone (not inside a file name such as
    // `backup-2026-12-14.tar`).
    let out = rewrite(
        text,
        &ISO,
        r"(^|[\s(])(\d{4})-(\d{2})-(\d{2})($|[\s,;:!?)]|\.(?:\s|$))",
        |c: &regex::Captures| {
            let month = c[3]
                .parse::<usize>()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .map(|m| MONTHS[m - 1]);
            match month.and_then(|m| written(&c[4], m, Some(&c[2]))) {
                Some(d) => format!("{}{d}{}", &c[1], &c[5]),
                None => c[0].to_string(),
            }
        },
    );
    let out = rewrite(
        &out,
        &DAY_FIRST,
        &format!(
            r"(?i)\b(?:the )?(\d{{1,2}})(?:st|nd|rd|th)?(?: of)? ({names})\b(?:,? (\d{{4}})\b)?"
        ),
        |c: &regex::Captures| {
            written(&c[1], &c[2], c.get(3).map(|m| m.as_str())).unwrap_or_else(|| c[0].to_string())
        },
    );
    rewrite(
        &out,
        &MONTH_FIRST,
        &format!(r"(?i)\b({names}) (?:the )?(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (\d{{4}})\b)?"),
        |c: &regex::Captures| {
            // "May 5" is a date; "may 5 times" is not ("may" lower case
            // before a count).
            if &c[1] == "may" {
                return c[0].to_string();
            }
            written(&c[2], &c[1], c.get(3).map(|m| m.as_str())).unwrap_or_else(|| c[0].to_string())
        },
    )
}

/// A time of day said in words: "twenty past eight" -> `8:20`, "half past
/// four" -> `16:30`, "quarter to nine" -> `8:45` (a 12-hour clock read as
/// the waking day: 07:00 to 18:59).
fn clock_phrases(text: &str) -> String {
    static CLOCK: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    rewrite(
        text,
        &CLOCK,
        r"(?i)\b(at|by|until|till|from|around|about|before|after|begins|starts) (five|ten|(?:a )?quarter|twenty|twenty-five|half|\d{1,2})(?: minutes)? (past|after|to) (one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})\b",
        |c: &regex::Captures| {
            let time = clock_time(&c[2], &c[3], &c[4]);
            time.map_or_else(|| c[0].to_string(), |t| format!("{} {t}", &c[1]))
        },
    )
}

/// `minutes` `past`|`after`|`to` `hour` as `H:MM`, if it is a time.
fn clock_time(minutes: &str, rel: &str, hour: &str) -> Option<String> {
    let number = |w: &str| -> Option<u32> {
        canonical_value(w)
            .unwrap_or_else(|| w.to_string())
            .parse()
            .ok()
    };
    let m = match minutes.to_lowercase().trim_start_matches("a ") {
        "quarter" => 15,
        "half" => 30,
        "twenty-five" => 25,
        w => number(w)?,
    };
    let h = number(&hour.to_lowercase())?;
    if !(1..=12).contains(&h) || !(1..=30).contains(&m) {
        return None;
    }
    let (h, m) = if rel.eq_ignore_ascii_case("to") {
        (if h == 1 { 12 } else { h - 1 }, 60 - m)
    } else {
        (h, m)
    };
    // Said on a 12-hour clock: read as a time of the waking day, 07:00 to
    // 18:59 ("ten past three" is 15:10, "twenty past eight" 08:20).
    let h = if h <= 6 { h + 12 } else { h };
    Some(format!("{h}:{m:02}"))
}

/// Degrees written with a sign or a letter: "4 °C", "4°C", "4 degrees
/// Celsius", "4 degrees C" -> "4 celsius" (and Fahrenheit the same way).
fn temperatures(text: &str) -> String {
    static SIGN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static WORD: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let out = rewrite(
        text,
        &SIGN,
        r"(\d)\s?°\s?([CF])\b",
        |c: &regex::Captures| {
            let scale = if &c[2] == "C" {
                "celsius"
            } else {
                "fahrenheit"
            };
            format!("{} {scale}", &c[1])
        },
    );
    let out = rewrite(
        &out,
        &WORD,
        r"(?i)\bdegrees? (celsius|centigrade|fahrenheit|C\b|F\b)",
        |c: &regex::Captures| {
            if c[1].to_lowercase().starts_with('f') {
                "fahrenheit".to_string()
            } else {
                "celsius".to_string()
            }
        },
    );
    // One scale: "446 fahrenheit" is "230 celsius" (to the nearest degree).
    static FAHRENHEIT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    rewrite(
        &out,
        &FAHRENHEIT,
        r"(-?\d+(?:\.\d+)?) fahrenheit\b",
        |c: &regex::Captures| match c[1].parse::<f64>() {
            Ok(f) => format!("{} celsius", ((f - 32.0) * 5.0 / 9.0).round() as i64),
            Err(_) => c[0].to_string(),
        },
    )
}

/// "day" -> "daily", "month" -> "monthly": how often, once per `unit`
/// (hour, day, week, month, anything else a year).
fn per_unit(unit: &str) -> &'static str {
    match unit.to_lowercase().as_str() {
        "day" => "daily",
        "hour" => "hourly",
        "night" => "nightly",
        "week" => "weekly",
        "month" => "monthly",
        _ => "yearly",
    }
}

/// The stems of every word of `text`, with times and frequencies written
/// one way ([`same_words`]): what a statement analysed by [`Analysis`] is
/// compared with when the other side is plain text (a note, a question, an
/// input).
pub fn word_stems(text: &str) -> std::collections::BTreeSet<String> {
    words_of(&same_words(text))
        .iter()
        .map(|w| stem(w))
        .collect()
}

/// `text` with every match of `pattern` (compiled once, into `cell`)
/// replaced by what `to` makes of it.
/// The word of `text` before byte `start` (lower case; empty at the
/// start): what a rewrite looks at before its match.
fn word_before(text: &str, start: usize) -> String {
    text[..start]
        .split_whitespace()
        .next_back()
        .unwrap_or("")
        .to_lowercase()
}

fn rewrite(
    text: &str,
    cell: &'static std::sync::OnceLock<regex::Regex>,
    pattern: &str,
    to: impl Fn(&regex::Captures) -> String,
) -> String {
    let re = cell.get_or_init(|| regex::Regex::new(pattern).expect("valid regex"));
    re.replace_all(text, |c: &regex::Captures| to(c))
        .into_owned()
}

fn without_label(text: &str) -> &str {
    let t = text.trim_start();
    if let Some((head, rest)) = t.split_once(':')
        && LABELS.contains(&head.trim().to_lowercase().as_str())
        && !rest.trim().is_empty()
    {
        return rest.trim_start();
    }
    t
}

impl Analysis {
    pub fn new(text: &str) -> Self {
        let text = without_label(text);
        let normal = same_words(text);
        let text = normal.as_str();
        let raw = words_of(text);
        let mut words = Vec::with_capacity(raw.len());
        for (i, w) in raw.iter().enumerate() {
            let lw = w.to_lowercase();
            let base = lw
                .strip_suffix("'s")
                .or_else(|| lw.strip_suffix("’s"))
                .unwrap_or(&lw)
                .to_string();
            // A capitalised word opening a sentence is a name only if it is
            // not a stop word and not otherwise written in lower case.
            let sentence_start = i == 0 || text_sentence_start(text, &raw, i);
            // "written in Go": the language, not the verb.
            let go_lang = w == "Go" && !sentence_start;
            let stop = STOP.contains(&base.as_str()) && !go_lang;
            let has_digit = w.chars().any(|c| c.is_ascii_digit())
                || canonical_value(&base).is_some_and(|v| v != base);
            let upper = w.chars().next().is_some_and(|c| c.is_uppercase());
            let inner_upper = w.chars().skip(1).any(|c| c.is_uppercase());
            // A word naming an attribute ("OS", "DB") is not its value.
            let past_verb = i == 0
                && (opens_with_past_verb(&lw, raw.get(1)) || opens_imperative(&lw, raw.get(1)));
            let unit = UNITS.contains(&stem(w).as_str())
                || ATTRIBUTE_WORDS.iter().any(|(x, _)| *x == base);
            let value = !unit
                && (has_digit
                    || is_service_name(&base)
                    || CONTRAST.contains(&w.as_str())
                    || w.starts_with('#')
                    || inner_upper
                    || go_lang
                    || is_dotted_name(w)
                    // A day of the week, however written ("thursdays").
                    || WEEKDAYS.contains(&stem(w).as_str())
                    || (upper
                        && !stop
                        && (!sentence_start || !raw.iter().any(|o| o == &lw))
                        && !is_common_opening(&base)
                        && !past_verb));
            words.push(Word {
                raw: w.clone(),
                stem: stem(w),
                pos: i,
                value,
                stop,
            });
        }
        // A label naming an attribute ("Incident commander for the payments
        // team: Tariq", "Preferred seat on flights: aisle", "Allergies:
        // penicillin, latex"): its capitalised first word is no name.
        // The words after such a label are its values, not the subject.
        let mut subject_within = 4;
        if let Some((head, _)) = text.split_once(": ") {
            let label = words_of(head);
            let attribute = match label.as_slice() {
                [one] => one.ends_with("ies") && one.chars().skip(1).all(|c| c.is_lowercase()),
                [_, second, ..] => second.starts_with(|c: char| c.is_lowercase()),
                [] => false,
            };
            if attribute {
                subject_within = label.len().min(4);
                if let Some(w) = words.first_mut()
                    && w.pos == 0
                    && w.raw.chars().skip(1).all(|c| c.is_lowercase())
                {
                    w.value = false;
                }
            }
        }
        // The first word after any opening filler ("Actually, my …").
        let first = raw
            .iter()
            .map(|w| w.to_lowercase())
            .find(|w| !is_filler(w))
            .unwrap_or_default();
        let mut by_role = false;
        let (subject, subject_text) = if FIRST_PERSON.contains(&first.as_str()) {
            (Some("@user".to_string()), Some("the writer".to_string()))
        } else {
            // A name, with the capitalised words that follow it ("Project
            // Atlas", "Casa Luna"): one subject.
            // An identifier opening the statement names its subject
            // ("build-box-12 runs Debian 11").
            let id_first = words
                .first()
                .is_some_and(|w| w.pos == 0 && is_identifier(&w.raw));
            let start = words.iter().take(subject_within).position(|w| {
                w.value
                    && (!w.raw.chars().any(|c| c.is_ascii_digit()) || (id_first && w.pos == 0))
                    // "the east bed": a value, not the subject ("North
                    // Carolina" is a name).
                    && !CONTRAST.contains(&w.raw.as_str())
            });
            match start {
                None => (None, None),
                Some(i) => {
                    // A possessive ends the name: "Hiroshi's GP" is Hiroshi's.
                    let mut run: Vec<&Word> = Vec::new();
                    for w in words[i..].iter().take(3) {
                        if id_first && w.pos == 0 {
                            run.push(w);
                            break;
                        }
                        if !w.value || w.raw.chars().any(|c| c.is_ascii_digit()) {
                            break;
                        }
                        run.push(w);
                        if w.raw.ends_with("'s") || w.raw.ends_with("’s") {
                            break;
                        }
                    }
                    // A name followed by an identifier names one thing
                    // ("Host janus8", "Rack B4"): the identifier is part of
                    // the subject, not a value of it.
                    if let Some(next) = words.get(i + run.len())
                        && is_identifier(&next.raw)
                    {
                        run.push(next);
                    }
                    // A person in a role toward a thing ("Zane leads project
                    // Mira", "Felix took over as lead of project Mira"): the
                    // statement is about the thing, the person its value.
                    if let Some(k) = role_object(&words, i + run.len()) {
                        by_role = true;
                        run = words[k..]
                            .iter()
                            .take_while(|w| w.value && !w.raw.chars().any(|c| c.is_ascii_digit()))
                            .take(3)
                            .collect();
                    }
                    let stem = run
                        .iter()
                        .map(|w| w.stem.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let text = run
                        .iter()
                        .map(|w| w.raw.trim_end_matches("'s").trim_end_matches("’s"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    (Some(stem), Some(text))
                }
            }
        };
        let negated = raw.iter().any(|w| {
            let l = w.to_lowercase();
            NEGATION.contains(&l.as_str()) || l.ends_with("n't") || l == "anymore"
        }) || text.to_lowercase().contains("no longer");
        // Words a comma follows (a list written "Tariq, Samira, Omar"); none
        // when cutting at the commas does not give the same words (a comma
        // inside a number).
        let mut comma_after = BTreeSet::new();
        let parts: Vec<&str> = text.split(',').collect();
        let mut n = 0;
        for part in &parts[..parts.len() - 1] {
            n += words_of(part).len();
            if n > 0 {
                comma_after.insert(n - 1);
            }
        }
        if n + words_of(parts[parts.len() - 1]).len() != raw.len() {
            comma_after.clear();
        }
        Self {
            words,
            subject,
            subject_text,
            negated,
            by_role,
            comma_after,
        }
    }

    /// Content stems (no stop words).
    pub fn stems(&self) -> BTreeSet<String> {
        let mut s: BTreeSet<String> = self
            .words
            .iter()
            .filter(|w| !w.stop && !w.stem.is_empty())
            .map(|w| w.stem.clone())
            .collect();
        s.extend(self.implied());
        s
    }

    /// This statement with each content word that `other` says in other
    /// words (a WordNet synonym: "rarely" / "seldom") stemmed as `other`
    /// has it, so that the rules compare one meaning once; `None` when no
    /// word changed. Only words the other statement lacks are paired, each
    /// once; names, numbers and other values are never paired.
    pub fn with_synonyms_of(&self, other: &Analysis) -> Option<Analysis> {
        let mine = self.stems();
        let theirs = other.stems();
        let free = |w: &Word, stems: &BTreeSet<String>| {
            !w.stop && !w.value && !w.stem.is_empty() && !stems.contains(&w.stem)
        };
        // The last word of both is the value they give ("the default
        // branch is master" / "… is main"): another value, not other words.
        let last = |an: &Analysis| an.words.iter().rposition(|w| !w.stop);
        let (my_last, their_last) = (last(self), last(other));
        let mut out = self.clone();
        let mut used: Vec<usize> = Vec::new();
        let mut changed = false;
        for (i, w) in out.words.iter_mut().enumerate() {
            if !free(w, &theirs) {
                continue;
            }
            let pair = other.words.iter().enumerate().find(|(j, o)| {
                !used.contains(j)
                    && free(o, &mine)
                    && !(Some(i) == my_last && Some(*j) == their_last)
                    && crate::wordnet::synonyms(&w.raw, &o.raw)
            });
            if let Some((j, o)) = pair {
                used.push(j);
                w.stem = o.stem.clone();
                changed = true;
            }
        }
        changed.then_some(out)
    }

    /// The attributes its verbs imply ("moved to Porto": where someone
    /// lives; "works from Lisbon": the same; "reports to Ana": who leads
    /// them) — only when a name follows the verb: "moved to room 925" is
    /// about a room.
    pub fn implied(&self) -> BTreeSet<String> {
        self.implied_by()
            .into_iter()
            .map(|(a, _)| a.to_string())
            .collect()
    }

    /// [`Self::implied`], each attribute with the stems of the words that
    /// imply it ("works", "from").
    fn implied_by(&self) -> Vec<(&'static str, Vec<String>)> {
        let mut out = Vec::new();
        for (i, w) in self.words.iter().enumerate() {
            let l = w.raw.to_lowercase();
            let next_raw = self.words.get(i + 1).map(|x| x.raw.to_lowercase());
            let (attr, len) = match IMPLIES.iter().find(|(v, _)| *v == l) {
                Some((_, a)) => (*a, 1),
                None => match IMPLIES_WITH
                    .iter()
                    .find(|(v, p, _)| *v == l && next_raw.as_deref() == Some(*p))
                {
                    Some((_, _, a)) => (*a, 2),
                    None => continue,
                },
            };
            let next = self.words[i + 1..].iter().position(|x| {
                !matches!(
                    x.raw.to_lowercase().as_str(),
                    "to" | "into" | "from" | "back" | "over" | "the"
                )
            });
            let next = next.map(|k| i + 1 + k);
            // A cloud region or a name with digits is no place to live
            // ("moved to eu-central-1", "moved to rack B4").
            let place = |k: usize| {
                let l = self.words[k].raw.to_lowercase();
                !is_region(&l) && !l.chars().any(|c| c.is_ascii_digit())
            };
            if next.is_none_or(|k| self.words[k].value && place(k)) {
                let stems = self.words[i..i + len]
                    .iter()
                    .map(|x| x.stem.clone())
                    .collect();
                out.push((attr, stems));
            }
        }
        out
    }

    /// The attributes this statement names, each with the stems of the
    /// words that name it: attribute words ("manager", "due", "owned"),
    /// the verbs that imply one toward a name ([`Self::implied`]) and names
    /// of a known kind (a database, an operating
    /// system, an editor, a cloud region).
    pub fn attributes(&self) -> std::collections::BTreeMap<&'static str, BTreeSet<String>> {
        let mut out: std::collections::BTreeMap<&'static str, BTreeSet<String>> =
            std::collections::BTreeMap::new();
        // The subject's own words name the thing, not an attribute of it
        // ("Host db-node3", "Postgres listens on …").
        let subject: BTreeSet<&str> = self
            .subject
            .as_deref()
            .map(|s| s.split(' ').collect())
            .unwrap_or_default();
        for (i, w) in self.words.iter().enumerate() {
            if subject.contains(w.stem.as_str()) {
                continue;
            }
            let l = w.raw.to_lowercase();
            let l = l.trim_end_matches("'s").trim_end_matches("’s");
            let next = self.words.get(i + 1).map(|x| x.raw.to_lowercase());
            let mut put = |attr: &'static str, stems: &[&str]| {
                out.entry(attr)
                    .or_default()
                    .extend(stems.iter().map(|s| s.to_string()));
            };
            if let Some((_, attr)) = ATTRIBUTE_WORDS.iter().find(|(x, _)| *x == l) {
                // "due to the rain" is a cause, not a date.
                if l == "due" && next.as_deref() == Some("to") {
                    continue;
                }
                put(attr, &[&w.stem]);
            } else if let Some((_, attr)) = KIND_OF_NAME.iter().find(|(x, _)| *x == l)
                // Written as a name ("Alpine 3.19", not "an alpine hike").
                && w.value
            {
                put(attr, &[]);
            } else if is_region(l) {
                put("region", &[]);
            }
        }
        for (attr, stems) in self.implied_by() {
            out.entry(attr).or_default().extend(stems);
        }
        out
    }

    pub fn values(&self) -> BTreeSet<String> {
        self.words
            .iter()
            .filter(|w| w.value)
            .map(|w| w.stem.clone())
            .collect()
    }

    pub fn lower_words(&self) -> BTreeSet<String> {
        self.words.iter().map(|w| w.raw.to_lowercase()).collect()
    }

    pub fn has_any(&self, list: &[&str]) -> Vec<String> {
        self.words
            .iter()
            .map(|w| w.raw.to_lowercase())
            .filter(|w| list.contains(&w.as_str()))
            .collect()
    }

    /// Whether every word of `subject` (a subject stem, maybe several
    /// words) is among this statement's stems.
    /// The statement opens with the writer's possessive ("My blood
    /// pressure …", "Our CI pipeline …"): its subject is a thing of the
    /// writer's, which another statement may name without "my".
    pub fn owned_by_writer(&self) -> bool {
        self.words
            .iter()
            .map(|w| w.raw.to_lowercase())
            .find(|w| !is_filler(w))
            .is_some_and(|w| w == "my" || w == "our")
    }

    pub fn mentions(&self, subject: &str) -> bool {
        let stems = self.stems();
        subject.split(' ').all(|w| stems.contains(w))
    }

    /// Whether `subject` (stems) is named here, and each time only as the
    /// object of a preposition or a copula ("Bjorn now reports *to Felix
    /// Jansen*", "Ana's manager *is Ben*"): a value of this statement's own
    /// subject, not what it is about ("Ben said *Ana* moved" is about Ana
    /// too).
    pub fn names_as_value(&self, subject: &str) -> bool {
        const OBJECT_OF: &[&str] = &[
            "to", "by", "with", "for", "from", "under", "as", "is", "was", "are", "were",
        ];
        let parts: Vec<&str> = subject.split(' ').collect();
        let stems: Vec<&str> = self.words.iter().map(|w| w.stem.as_str()).collect();
        let mut found = false;
        for i in 0..stems.len() {
            if !stems[i..].starts_with(&parts) {
                continue;
            }
            found = true;
            let before = i.checked_sub(1).map(|k| self.words[k].raw.to_lowercase());
            // A possessive owns what follows ("is *Ruth's* parking space").
            let last = &self.words[i + parts.len() - 1].raw;
            if !before.is_some_and(|b| OBJECT_OF.contains(&b.as_str()))
                || last.ends_with("'s")
                || last.ends_with("’s")
            {
                return false;
            }
        }
        found
    }

    /// Markers of a correction ("Correction: …", "I had that wrong").
    pub fn correction_markers(&self) -> Vec<String> {
        let mut out = self.has_any(CORRECTION);
        if let Some(i) = self.digits_swapped() {
            out.push(self.words[i].raw.to_lowercase());
        }
        out
    }

    /// Where the writer says they swapped digits or letters ("I swapped two
    /// digits"): a typo owned up to, not a change.
    fn digits_swapped(&self) -> Option<usize> {
        let lower: Vec<String> = self.words.iter().map(|w| w.raw.to_lowercase()).collect();
        (0..lower.len()).find(|&i| {
            let what = |w: &String| matches!(w.as_str(), "digits" | "numbers" | "letters");
            matches!(
                lower[i].as_str(),
                "swapped" | "switched" | "mixed" | "transposed"
            ) && (lower[i + 1..].iter().take(3).any(what)
                // "… had two digits swapped"
                || lower[i.saturating_sub(3)..i].iter().any(what))
        })
    }

    /// Whether `stem` is the stem of a change or negation word of this
    /// statement ("moved" -> "mov").
    pub fn marker_stem(&self, stem: &str) -> bool {
        self.words
            .iter()
            .any(|w| w.stem == stem && Self::is_marker(&w.raw.to_lowercase()))
    }

    /// Markers of change present here (not in `other`), the negation words
    /// left out (a flipped polarity is judged on its own).
    pub fn explicit_change_markers(&self, other: &Analysis) -> Vec<String> {
        self.change_markers(other)
            .into_iter()
            .filter(|w| !NEGATION.contains(&w.as_str()))
            .collect()
    }

    /// Whether `w` (lower case) is a change or negation marker rather than
    /// content.
    pub fn is_marker(w: &str) -> bool {
        CHANGE.contains(&w) || NEGATION.contains(&w) || CORRECTION.contains(&w)
    }

    /// Markers of change present here (not in `other`). A change word
    /// in a plan or an obligation ("will be migrated", "has to be
    /// finished by", "wants to move") says nothing changed yet and is not
    /// one; the words of time and negation ("now", "no longer") count
    /// wherever they stand.
    pub fn change_markers(&self, other: &Analysis) -> Vec<String> {
        let theirs = other.lower_words();
        let their_stems: BTreeSet<String> = other.words.iter().map(|w| w.stem.clone()).collect();
        let lower: Vec<String> = self.words.iter().map(|w| w.raw.to_lowercase()).collect();
        let their_seq = format!(
            " {} ",
            other
                .words
                .iter()
                .map(|w| w.raw.to_lowercase())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let planned = |i: usize| {
            let before = &lower[i.saturating_sub(3)..i];
            let prev = before.last().map(String::as_str);
            matches!(prev, Some("to"))
                || before.windows(2).any(|p| p[0] == "to" && p[1] == "be")
                || before.iter().any(|w| MODAL.contains(&w.as_str()))
                // "As of June, Ana will lead …": a modal after it, too.
                || lower[i + 1..]
                    .iter()
                    .take(8)
                    .any(|x| matches!(x.as_str(), "will" | "shall" | "going"))
        };
        let typo_at = self.digits_swapped();
        let mut out = Vec::new();
        for (i, w) in lower.iter().enumerate() {
            let next = lower.get(i + 1).map(String::as_str);
            let prev = i.checked_sub(1).map(|j| lower[j].as_str());
            let pair = CHANGE_WITH
                .iter()
                .find(|(x, y)| x == w && next == Some(*y))
                .map(|(x, y)| format!("{x} {y}"));
            let word = CHANGE.contains(&w.as_str())
                // "longer" only as "no longer" / "any longer", not "longer
                // than a day".
                && (w != "longer" || matches!(prev, Some("no" | "any")))
                // "starting" opens the clause it dates ("Starting next
                // month, …"), not "a starting salary".
                && (w != "starting"
                    || (i == 0
                        && (self.words.get(i + 1).is_some_and(|x| x.value)
                            || matches!(
                                next,
                                Some(
                                    "next" | "this" | "from" | "on" | "in" | "today" | "tomorrow"
                                        | "now"
                                )
                            ))));
            // Not the statement's change: a participle before its noun
            // ("the *raised* bed"), a relative clause ("…, which *moves*
            // them into …"), a habit ("we *cut* the hedge every May").
            let attributive = w.ends_with("ed")
                && prev.is_some_and(|p| DETERMINERS.contains(&p))
                && self.words.get(i + 1).is_some_and(|x| !x.stop && !x.value);
            let relative = matches!(prev, Some("which" | "that" | "who"));
            // A direction, not a departure ("the front *left* wheel", "her
            // *left* knee"); a step repeated, not a change ("retry", "try
            // *again*").
            let direction = w == "left"
                && (prev.is_some_and(|p| {
                    DETERMINERS.contains(&p)
                        || matches!(
                            p,
                            "front"
                                | "rear"
                                | "back"
                                | "top"
                                | "bottom"
                                | "upper"
                                | "lower"
                                | "far"
                                | "turn"
                                | "on"
                        )
                }) || matches!(next, Some("hand" | "side" | "turn" | "lane" | "wing")));
            let retry = w == "again"
                && lower[..i].iter().rev().take(3).any(|x| {
                    matches!(
                        x.as_str(),
                        "try" | "tries" | "retry" | "rerun" | "run" | "start" | "restart" | "do"
                    )
                });
            let typo = typo_at == Some(i);
            // A change said not to happen ("don't *migrate* it", "we're not
            // *moving*", "never *switched*"): no change.
            let denied = !NEGATION.contains(&w.as_str())
                && w != "longer"
                && matches!(
                    prev,
                    Some(
                        "don't" | "dont" | "do" | "not" | "never" | "won't" | "didn't" | "doesn't"
                    )
                )
                && (prev != Some("do") || i >= 2 && lower[i - 2] == "not");
            // A plural noun, not a verb ("docs-only *changes* can be
            // merged", "all *moves* need a ticket", "reviews for *changes*
            // to billing"): a determiner, a modifier or a preposition
            // before it, or a modal or "are" after it.
            let noun = w.ends_with('s')
                && (matches!(
                    next,
                    Some(
                        "can"
                            | "could"
                            | "must"
                            | "should"
                            | "may"
                            | "might"
                            | "need"
                            | "are"
                            | "were"
                            | "get"
                            | "have"
                    )
                ) || prev.is_some_and(|p| {
                    DETERMINERS.contains(&p)
                        || p.ends_with("-only")
                        || matches!(
                            p,
                            "all"
                                | "any"
                                | "some"
                                | "no"
                                | "these"
                                | "those"
                                | "minor"
                                | "major"
                                | "for"
                                | "of"
                                | "with"
                                | "without"
                                | "about"
                                | "on"
                                | "in"
                                | "by"
                                | "from"
                                | "after"
                                | "before"
                                | "between"
                                | "under"
                                | "over"
                        )
                }));
            let habit = HABITUAL_FORMS.contains(&w.as_str())
                && lower.iter().any(|x| FREQUENCY.contains(&x.as_str()));
            if pair.is_none()
                && (attributive
                    || relative
                    || habit
                    || direction
                    || retry
                    || typo
                    || noun
                    || denied)
            {
                continue;
            }
            let said_before = match &pair {
                Some(p) => their_seq.contains(&format!(" {p} ")),
                None => theirs.contains(w) || their_stems.contains(&stem(w)),
            };
            if (pair.is_none() && !word)
                // Part of a name ("Air New Zealand").
                || (i > 0 && self.words[i].raw.starts_with(|c: char| c.is_uppercase()))
                || said_before
                || (!UNPLANNED.contains(&w.as_str()) && planned(i))
            {
                continue;
            }
            out.push(pair.unwrap_or_else(|| w.clone()));
        }
        out
    }

    pub fn addition_markers(&self, other: &Analysis) -> Vec<String> {
        let theirs = other.lower_words();
        let mut v: Vec<String> = self
            .has_any(ADDITION)
            .into_iter()
            .filter(|w| !theirs.contains(w))
            .collect();
        // "well" only in "as well"
        if v.iter().any(|w| w == "well") {
            let lw: Vec<String> = self.words.iter().map(|w| w.raw.to_lowercase()).collect();
            if !lw.windows(2).any(|p| p[0] == "as" && p[1] == "well") {
                v.retain(|w| w != "well");
            }
        }
        v
    }

    /// The name-like words (names, identifiers with a hyphen or a digit)
    /// before the first of `shared`: what tells a statement's subject from
    /// its neighbours ("The *Berlin* office", "The *checkout-sync*
    /// service"); `None` when there are none or nothing is shared. Common
    /// words there ("the *organic* waste bin") are left to the other rules:
    /// they are as often a paraphrase as another thing.
    pub fn lead_words(&self, shared: &BTreeSet<String>) -> Option<Vec<String>> {
        let first = self
            .words
            .iter()
            .position(|w| !w.stop && shared.contains(&w.stem))?;
        let lead: Vec<String> = self.words[..first]
            .iter()
            .filter(|w| {
                let l = w.raw.to_lowercase();
                !w.stop
                    && !is_filler(&l)
                    && !Self::is_marker(&l)
                    && !is_common_opening(&l)
                    && (w.value || l.contains('-') || l.chars().any(|c| c.is_ascii_digit()))
            })
            .map(|w| w.stem.clone())
            .collect();
        (!lead.is_empty()).then_some(lead)
    }

    /// Lower-case words right before the first shared word when that word
    /// opens the statement (after its article at most) and names its
    /// subject: "The *staging* database", "My *road* bike". None when a
    /// word there is a name, a stop word, a word of change, of time or of
    /// age ("the *new* database", "the *daily* standup", "the *morning*
    /// run": the same thing described, not another one).
    pub fn head_modifiers(&self, shared: &BTreeSet<String>) -> Option<Vec<String>> {
        const SAME_THING: &[&str] = &[
            "new",
            "old",
            "current",
            "previous",
            "former",
            "latest",
            "next",
            "last",
            "present",
            "existing",
            "usual",
            "regular",
            "morning",
            "afternoon",
            "evening",
            "night",
        ];
        let w = &self.words;
        let start = w.iter().take_while(|x| x.stop).count();
        let first = w.iter().position(|x| !x.stop && shared.contains(&x.stem))?;
        if first <= start || first > start + 2 {
            return None;
        }
        let mods = &w[start..first];
        mods.iter()
            .all(|x| {
                let l = x.raw.to_lowercase();
                !x.stop
                    && !x.value
                    && x.raw.chars().all(|c| c.is_lowercase() || c == '-')
                    && !Self::is_marker(&l)
                    && !is_common_opening(&l)
                    && !l.ends_with("ly")
                    && !SAME_THING.contains(&l.as_str())
            })
            .then(|| mods.iter().map(|x| x.stem.clone()).collect())
    }

    /// The position of the last content word.
    /// The stems of words that only say from when a value holds ("for
    /// *this quarter*", "*this training block*", "*since the wedding*"):
    /// no attribute of their own. A period shorter than a season ("this
    /// week") is a one-off, which curation reads apart.
    pub fn time_scope(&self) -> BTreeSet<String> {
        const PERIODS: &[&str] = &[
            "quarter", "season", "block", "term", "semester", "cycle", "year", "winter", "summer",
            "spring", "autumn", "fall", "half",
        ];
        const DETERMINERS: &[&str] = &["the", "my", "our", "his", "her", "their"];
        let w = &self.words;
        let lower = |i: usize| w[i].raw.to_lowercase();
        let mut out = BTreeSet::new();
        for i in 0..w.len() {
            match lower(i).as_str() {
                "this" | "current" => {
                    // Up to two words, the last a period: "this training
                    // block".
                    if let Some(end) = (i + 1..(i + 3).min(w.len()))
                        .find(|&k| PERIODS.contains(&lower(k).as_str()))
                    {
                        out.extend(w[i + 1..=end].iter().map(|x| x.stem.clone()));
                    }
                }
                // "since the wedding": a determiner and one word.
                "since"
                    if i + 2 < w.len()
                        && DETERMINERS.contains(&lower(i + 1).as_str())
                        && !w[i + 2].value =>
                {
                    out.insert(w[i].stem.clone());
                    out.insert(w[i + 2].stem.clone());
                }
                _ => {}
            }
        }
        out
    }

    /// The stems of relation nouns said right before one of `values`
    /// ("my *brother* Emre", "his *husband* Leontyne"): part of the value
    /// they name, not an attribute of their own.
    pub fn relatives_naming(&self, values: &BTreeSet<String>) -> BTreeSet<String> {
        self.words
            .windows(2)
            .filter(|p| {
                RELATIVES.contains(&p[0].raw.to_lowercase().as_str())
                    && p[1].value
                    && values.contains(&p[1].stem)
            })
            .map(|p| p[0].stem.clone())
            .collect()
    }

    /// The relative the statement is about, when its opening names one
    /// through an owner ("Tariq's son", "my sister", "Our dog"): the
    /// relative's word, lower case, singular.
    pub fn relation_head(&self) -> Option<String> {
        const OWNERS: &[&str] = &["my", "our", "his", "her", "their", "your"];
        let w = &self.words;
        // The owner opens the statement (after stop words at most): in
        // "Mateo is Nadia's husband" the husband is not the subject.
        let opening = w
            .iter()
            .take_while(|x| x.stop && !OWNERS.contains(&x.raw.to_lowercase().as_str()))
            .count();
        // The owner may be a name of several words ("Uncle Radek's").
        (opening..(opening + 3).min(w.len().saturating_sub(1))).find_map(|i| {
            if i > opening
                && !w[opening..i]
                    .iter()
                    .all(|x| x.value || x.raw.chars().next().is_some_and(char::is_uppercase))
            {
                return None;
            }
            let owner = w[i].raw.to_lowercase();
            let possessive =
                owner.ends_with("'s") || owner.ends_with("’s") || owner.ends_with("s'");
            if !(possessive || OWNERS.contains(&owner.as_str())) {
                return None;
            }
            let head = w[i + 1].raw.to_lowercase();
            RELATIVES.contains(&head.as_str()).then(|| {
                head.strip_suffix('s')
                    .filter(|h| RELATIVES.contains(h))
                    .unwrap_or(&head)
                    .to_string()
            })
        })
    }

    /// The name right after the relative `head` ("my son *Leo*", "our
    /// daughter *Emma*"), as a stem: the relative is that person.
    pub fn relative_name(&self, head: &str) -> Option<String> {
        let w = &self.words;
        (0..w.len().saturating_sub(1)).find_map(|i| {
            let raw = w[i].raw.to_lowercase();
            let kind = raw.strip_suffix('s').filter(|h| *h == head).is_some() || raw == head;
            let next = &w[i + 1];
            (kind
                && next.pos == w[i].pos + 1
                && next.raw.chars().next().is_some_and(char::is_uppercase)
                && !next.stop)
                .then(|| next.stem.clone())
        })
    }

    /// When this statement names `name` (stems) as what its subject `owner`
    /// has, with its kind between them ("*Marisol*'s cat *Tofu* weighs 4.2
    /// kg", "*Zainab*'s son *Yahya* is in nursery"), the stems that only say
    /// whose it is: the owner's and the kind's ("marisol", "cat"). The
    /// statement is about `name`.
    pub fn owner_words(&self, owner: &str, name: &str) -> Option<Vec<String>> {
        let owner: Vec<&str> = owner.split(' ').collect();
        let name: Vec<&str> = name.split(' ').collect();
        let stems: Vec<&str> = self.words.iter().map(|w| w.stem.as_str()).collect();
        let i = (0..stems.len()).find(|&i| stems[i..].starts_with(&owner))?;
        let last = self.words[i + owner.len() - 1].raw.to_lowercase();
        let possessive = last.ends_with("'s") || last.ends_with("’s") || last.ends_with("s'");
        let after = i + owner.len();
        let k = (1..=2).find(|&k| {
            after + k < stems.len()
                && self.words[after..after + k]
                    .iter()
                    .all(|w| !w.value && !w.stop && w.raw.chars().all(char::is_lowercase))
                && stems[after + k..].starts_with(&name)
        })?;
        possessive.then(|| stems[i..after + k].iter().map(|s| s.to_string()).collect())
    }

    /// The kind noun right after the subject's name ("the checkout-cache
    /// *service*", "the Atlas *project*"): part of the name, not content.
    pub fn subject_kind(&self) -> Option<&str> {
        const KINDS: &[&str] = &[
            "service",
            "job",
            "app",
            "team",
            "project",
            "host",
            "server",
            "cluster",
            "repo",
            "bot",
            "worker",
            "pipeline",
            "queue",
            "deployment",
        ];
        let subject: BTreeSet<&str> = self.subject.as_deref()?.split(' ').collect();
        self.words.windows(2).find_map(|p| {
            (p[1].pos == p[0].pos + 1
                && subject.contains(p[0].stem.as_str())
                && KINDS.contains(&p[1].raw.to_lowercase().as_str()))
            .then_some(p[1].stem.as_str())
        })
    }

    pub fn last_content_stem(&self) -> Option<&str> {
        self.words
            .iter()
            .rev()
            .find(|w| !w.stop)
            .map(|w| w.stem.as_str())
    }
}

fn text_sentence_start(_text: &str, raw: &[String], i: usize) -> bool {
    // The tokenizer drops punctuation; a word after one ending a sentence
    // is detected by the caller's sentence splitting, so only the first
    // word counts here.
    let _ = raw;
    i == 0
}

/// A name-like token with letters and digits run together (`janus8`,
/// `web-01`, `B4`), not a number, a version or a quantity (`16GB` is a
/// unit after a number).
pub fn is_identifier(w: &str) -> bool {
    // "tethys3's": the possessive is not part of the name.
    let w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(w);
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    let digits = w.chars().filter(|c| c.is_ascii_digit()).count();
    letters > 0
        && digits > 0
        && w.chars().next().is_some_and(|c| c.is_alphabetic())
        && w.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// A host, domain or file name written with dots (`api.acme.io`,
/// `config.yaml`, `db1.prod.internal`): a value, like a name. Not an
/// abbreviation ("e.g", "a.m").
pub fn is_dotted_name(w: &str) -> bool {
    let parts: Vec<&str> = w.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
        && parts[0].chars().count() >= 2
        && parts
            .last()
            .is_some_and(|l| l.chars().count() >= 2 && l.chars().all(|c| c.is_alphabetic()))
}

/// Capitalised words that commonly open a sentence without being names.
/// Discourse words and sentence adverbs that open a sentence without being
/// its subject ("Actually, ...", "Well, ...", "Honestly ..."). A closed list: a
/// rule such as "ends in -ly" would take Emily, Kelly or Italy for one.
pub fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "honestly"
            | "basically"
            | "currently"
            | "recently"
            | "lately"
            | "really"
            | "frankly"
            | "seriously"
            | "apparently"
            | "obviously"
            | "finally"
            | "luckily"
            | "unfortunately"
            | "fortunately"
            | "hopefully"
            | "personally"
            | "originally"
            | "previously"
            | "eventually"
            | "definitely"
            | "literally"
            | "totally"
            | "actually"
            | "well"
            | "so"
            | "now"
            | "also"
            | "anyway"
            | "anyways"
            | "btw"
            | "fyi"
            | "ok"
            | "okay"
            | "oh"
            | "hey"
            | "yes"
            | "yeah"
            | "no"
            | "nope"
            | "update"
            | "nowadays"
            | "hmm"
            | "alright"
            | "sorry"
            | "thanks"
            | "indeed"
            | "ps"
            | "and"
            | "but"
    )
}

/// Whether a statement with no subject opens with a verb in the past
/// tense ("Switched dentists, now …", "Remortgaged with Keystone …",
/// "Changed electricity supplier to …"): the capital is the sentence's,
/// not a name's. Long words in -ed only ("Ted", "Jared" are names), not
/// -med or -eed ("Ahmed", "Reed"), and not before a verb ("Khaled works
/// …").
fn opens_with_past_verb(first: &str, next: Option<&String>) -> bool {
    let Some(next) = next else {
        return false;
    };
    let verb_next = matches!(
        next.to_lowercase().as_str(),
        "is" | "was"
            | "has"
            | "had"
            | "will"
            | "can"
            | "does"
            | "did"
            | "and"
            | "or"
            | "works"
            | "lives"
            | "plays"
            | "runs"
            | "uses"
            | "likes"
            | "leads"
            | "teaches"
            | "speaks"
            | "says"
            | "wants"
            | "needs"
    );
    first.chars().count() >= 6
        && first.ends_with("ed")
        && !first.ends_with("med")
        && !first.ends_with("eed")
        && next.chars().next().is_some_and(|c| c.is_lowercase())
        && !verb_next
}

/// A form of "to be" that joins a thing to what it is ("is", "are",
/// "was", "were"; any case).
pub fn is_copula(word: &str) -> bool {
    matches!(word.to_lowercase().as_str(), "is" | "are" | "was" | "were")
}

/// A sentence that opens with a verb's base form and then its object's
/// article or owner ("Water the ferns every three days", "Descale the
/// kettle monthly", "Back up the NAS on Sundays"): an instruction, whose
/// first word is no name.
fn opens_imperative(first: &str, next: Option<&String>) -> bool {
    next.is_some_and(|n| {
        let n = n.to_lowercase();
        (DETERMINERS.contains(&n.as_str()) && n != "that")
            || matches!(
                n.as_str(),
                "all" | "any" | "each" | "every" | "up" | "out" | "off" | "down"
            )
    }) && crate::wordnet::is_verb(first)
}

fn is_common_opening(w: &str) -> bool {
    is_filler(w)
        || matches!(
            w,
            "every"
                | "our"
                | "my"
                | "the"
                | "to"
                | "for"
                | "in"
                | "on"
                | "at"
                | "after"
                | "before"
                | "since"
                | "when"
                | "if"
                | "once"
                | "please"
                | "always"
                | "never"
                | "rotate"
                | "use"
                | "run"
                | "make"
                | "keep"
                | "don't"
                | "do"
                | "set"
                | "add"
                | "remember"
                | "note"
                | "today"
                | "yesterday"
                | "tomorrow"
                | "last"
                | "next"
                | "pack"
                | "bring"
                | "check"
                | "install"
                | "open"
                | "test"
                | "put"
                | "take"
                | "call"
                | "ask"
                | "send"
                | "try"
                | "wait"
                | "pass"
                | "restart"
                | "update"
                | "delete"
                | "remove"
                | "avoid"
                | "inflate"
                | "store"
                | "book"
        )
        // an adverb opening the sentence ("Typically …", "Usually …"; not
        // a name such as Emily or Sally)
        || (w.len() >= 7
            && ["ally", "ually", "ntly", "tely", "usly", "stly", "ably", "ibly"]
                .iter()
                .any(|s| w.ends_with(s)))
}

/// "has" (stem of has/have/had) frames a statement ("has 64 GB of RAM" /
/// "was upgraded to 64 GB of RAM") without being what it is about. Not a
/// stop word: as the only shared word it still relates two statements
/// ("Alice has a dog" / "Alice has a cat").
pub fn is_frame_word(stem: &str) -> bool {
    matches!(stem, "has" | "have" | "had")
}

/// Whether `new` states the attribute of `old` with another value: the
/// same named subject, a content word shared beyond the subject and the
/// frame ("has"), and a value lost and a value gained ("Host atlas8 has
/// 32 GB of RAM" / "Host atlas8 was upgraded to 64 GB of RAM"). Looser
/// than curation's supersede rules: recall's newer look-alike signal and
/// `mem dream` use it, both knowing which of the two is newer.
pub fn same_attribute_changed(new: &Analysis, old: &Analysis) -> bool {
    // One short statement each: a longer text shares some word and
    // differs in some value whatever it is about.
    if new.subject.is_none()
        || new.subject != old.subject
        || new.words.len() > 30
        || old.words.len() > 30
    {
        return false;
    }
    let o = overlap(new, old);
    let subject: Vec<&str> = old.subject.as_deref().unwrap_or("").split(' ').collect();
    // Words as written (no implied ones), not values, not change words.
    let plain = |a: &Analysis| -> BTreeSet<String> {
        a.words
            .iter()
            .filter(|w| !w.stop && !w.value && !Analysis::is_marker(&w.raw.to_lowercase()))
            .map(|w| w.stem.clone())
            .collect()
    };
    let (pn, po) = (plain(new), plain(old));
    // Most of the shorter one's words (beyond the subject and its kind: the
    // auth-cache *service*) are shared.
    let kind = old.subject_kind();
    let shared = pn
        .intersection(&po)
        .filter(|s| !subject.contains(&s.as_str()) && !is_frame_word(s))
        .filter(|s| Some(s.as_str()) != kind)
        .count();
    // (Beyond the subject: its words, when they are plain words at all;
    // "@user" and names are not. Subtracting the subject's length from
    // both let one shared word of three make "most": "We decided to move
    // deploys to Hetzner" / "We decided to rotate API keys every 90 days".)
    let beyond = |p: &BTreeSet<String>| {
        p.iter()
            .filter(|s| !subject.contains(&s.as_str()) && !is_frame_word(s))
            .filter(|s| Some(s.as_str()) != kind)
            .count()
    };
    let smaller = beyond(&pn).min(beyond(&po)).max(1);
    let attribute = shared > 0 && shared * 2 >= smaller;
    // An identifier on one side only ("gateway-indexer" / "reporting-api")
    // names another thing.
    let ident = |s: &String| s.contains('-') || s.chars().any(|c| c.is_ascii_digit());
    let other_thing = pn.symmetric_difference(&po).any(ident);
    attribute && !other_thing && !o.lost_values.is_empty() && !o.new_values.is_empty()
}

/// Lexical comparison of a new statement with an existing one.
#[derive(Debug, Clone, Default)]
pub struct Overlap {
    pub shared: BTreeSet<String>,
    /// Content stems only in the new statement / only in the old one.
    pub only_new: BTreeSet<String>,
    pub only_old: BTreeSet<String>,
    /// Values only in the new / only in the old statement.
    pub new_values: BTreeSet<String>,
    pub lost_values: BTreeSet<String>,
    pub jaccard: f32,
    /// Share of the new / old content stems found in the other.
    pub cov_new: f32,
    pub cov_old: f32,
    /// Shared content stems other than the subject.
    pub shared_beyond_subject: usize,
}

/// The words of both statements' subjects ("mei mensah" counts word by
/// word).
pub fn subject_words<'a>(a: &'a Analysis, b: &'a Analysis) -> BTreeSet<&'a str> {
    a.subject
        .iter()
        .chain(b.subject.iter())
        .flat_map(|s| s.split(' '))
        .collect()
}

/// Moves a hyphenated compound of `mine` whose joined form is in
/// `theirs`, or whose parts `their_words` say in a row, to `shared`, with
/// those ("make rotate-jwt" is not "JWT keys are rotated"). Not an identifier with
/// digits or dots ("pg-prod-1", "api-v2.acme.io").
fn join_compounds(
    mine: &mut BTreeSet<String>,
    theirs: &mut BTreeSet<String>,
    shared: &mut BTreeSet<String>,
    their_words: &[Word],
) {
    let compounds: Vec<String> = mine
        .iter()
        .filter(|h| {
            h.contains('-')
                && !h
                    .chars()
                    .any(|c| c.is_ascii_digit() || c == '.' || c == ':')
        })
        .cloned()
        .collect();
    for h in compounds {
        let parts = compound_parts(&h);
        let joined = stem(&h.replace('-', ""));
        let found: Vec<String> = if theirs.contains(&joined) {
            vec![joined]
        } else if parts.len() >= 2
            && their_words.windows(parts.len()).any(|win| {
                win.iter().zip(&parts).all(|(w, p)| &w.stem == p)
                    && parts
                        .iter()
                        .all(|p| theirs.contains(p) || shared.contains(p))
            })
        {
            parts
        } else {
            continue;
        };
        mine.remove(&h);
        shared.insert(h);
        for f in found {
            theirs.remove(&f);
            shared.insert(f);
        }
    }
}

pub fn overlap(new: &Analysis, old: &Analysis) -> Overlap {
    let a = new.stems();
    let b = old.stems();
    let mut shared: BTreeSet<String> = a.intersection(&b).cloned().collect();
    let mut only_new: BTreeSet<String> = a.difference(&b).cloned().collect();
    let mut only_old: BTreeSet<String> = b.difference(&a).cloned().collect();
    let va = new.values();
    let vb = old.values();
    // A compound written with a hyphen on one side and apart or joined on
    // the other ("free-tier" / "free tier", "Wi-Fi" / "wifi") is one word.
    join_compounds(&mut only_new, &mut only_old, &mut shared, &old.words);
    join_compounds(&mut only_old, &mut only_new, &mut shared, &new.words);
    let all_b = old.stems();
    let all_a = new.stems();
    // A subject of several words ("mei mensah") counts word by word.
    let subj: BTreeSet<String> = subject_words(new, old)
        .into_iter()
        .map(str::to_string)
        .collect();
    let new_values = va
        .iter()
        .filter(|v| !vb.contains(*v) && !all_b.contains(*v) && !subj.contains(*v))
        .cloned()
        .collect();
    let lost_values = vb
        .iter()
        .filter(|v| !va.contains(*v) && !all_a.contains(*v) && !subj.contains(*v))
        .cloned()
        .collect();
    // (Counted from each side: a compound and its parts are one match.)
    let in_a = (a.len() - only_new.len()) as f32;
    let in_b = (b.len() - only_old.len()) as f32;
    let union = (a.len() + only_old.len()).max(1) as f32;
    let shared_beyond_subject = shared.iter().filter(|s| !subj.contains(*s)).count();
    Overlap {
        jaccard: in_a / union,
        cov_new: in_a / a.len().max(1) as f32,
        cov_old: in_b / b.len().max(1) as f32,
        shared,
        only_new,
        only_old,
        new_values,
        lost_values,
        shared_beyond_subject,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_verb_opening_an_instruction_is_no_name() {
        for t in [
            "Water the ferns every three days.",
            "Descale the kettle monthly.",
            "Back up the NAS every Sunday.",
        ] {
            let a = super::Analysis::new(t);
            let first = t.split(' ').next().unwrap().to_lowercase();
            assert!(!a.values().contains(&super::stem(&first)), "{t}");
            assert_ne!(
                a.subject.as_deref(),
                Some(super::stem(&first).as_str()),
                "{t}"
            );
        }
        // A name before an article stays a name.
        assert_eq!(
            super::Analysis::new("Kai the intern starts Monday.")
                .subject
                .as_deref(),
            Some("kai")
        );
    }

    #[test]
    fn addresses_days_and_the_go_language_are_values() {
        let values = |t: &str| super::Analysis::new(t).values();
        assert!(values("The API is served from api.kelp.io").contains("api.kelp.io"));
        assert!(values("lessons are on thursdays").contains("thursday"));
        assert!(values("The worker is written in Go").contains("golang"));
        // "go" the verb, and an abbreviation, are not.
        assert!(
            !values("Let's go home, e.g. by train")
                .iter()
                .any(|v| v == "golang" || v == "e.g")
        );
        assert!(super::is_dotted_name("config.yaml"));
        assert!(!super::is_dotted_name("e.g"));
    }

    #[test]
    fn shortened_words_and_spellings_are_one_word() {
        assert_eq!(
            word_stems("analytics svc normalizes timestamps"),
            word_stems("analytics service normalises timestamps")
        );
        assert_eq!(
            word_stems("school run mon + wed"),
            word_stems("school run Mondays + Wednesdays")
        );
        assert_eq!(
            word_stems("prod env config"),
            word_stems("production environment configuration")
        );
    }

    #[test]
    fn degrees_fahrenheit_are_compared_in_celsius() {
        assert_eq!(
            word_stems("Bake the loaf at 428°F."),
            word_stems("Bake the loaf at 220 degrees Celsius.")
        );
        assert_ne!(
            word_stems("Bake the loaf at 428°F."),
            word_stems("Bake the loaf at 428°C.")
        );
    }

    #[test]
    fn a_plural_noun_is_no_change_word() {
        // Invented sentences, not from any fixture.
        let old = super::Analysis::new("Every release needs two approvals.");
        let m = |t: &str| super::Analysis::new(t).change_markers(&old);
        assert!(m("Config-only changes can ship with one approval.").is_empty());
        assert!(m("All moves between teams need a ticket.").is_empty());
        assert!(m("Releases for changes to the payments API need three approvals.").is_empty());
        assert_eq!(m("The release train switches to Thursdays."), ["switches"]);
    }

    #[test]
    fn a_past_verb_opening_a_statement_is_no_name() {
        // Invented sentences, not from any fixture.
        let subject = |t: &str| super::Analysis::new(t).subject;
        assert_eq!(subject("Switched banks, now with Fernhill Mutual."), None);
        assert_eq!(subject("Upgraded the router firmware to 4.2."), None);
        // Names in -ed stay names.
        for (t, name) in [
            ("Khaled works at Fernhill Mutual.", "khaled"),
            ("Ahmed prefers tea.", "ahm"),
            ("Jared plays the cello.", "jar"),
        ] {
            let s = subject(t).unwrap_or_default();
            assert!(s.starts_with(&name[..3]), "{t}: {s}");
        }
    }

    #[test]
    fn a_change_in_a_plan_or_an_obligation_is_no_change_yet() {
        let old = super::Analysis::new("The billing service runs on MySQL.");
        let m = |s: &str| super::Analysis::new(s).change_markers(&old);
        assert_eq!(m("The billing service migrated to Postgres."), ["migrated"]);
        for plan in [
            "The billing service will be migrated to Postgres next quarter.",
            "The billing service has to be migrated by March.",
            "We want to migrate the billing service to Postgres.",
        ] {
            assert!(m(plan).is_empty(), "{plan}: {:?}", m(plan));
        }
        // Time and negation count in any form.
        assert_eq!(m("The billing service will now run on Postgres."), ["now"]);
    }

    use super::*;

    #[test]
    fn a_person_in_a_role_toward_a_named_thing_makes_the_thing_the_subject() {
        let subject = |t: &str| Analysis::new(t).subject;
        assert_eq!(
            subject("Zane Takahashi leads project Mira.").as_deref(),
            Some("mira")
        );
        assert_eq!(
            subject("Felix Nguyen took over as lead of project Mira.").as_deref(),
            Some("mira")
        );
        assert_eq!(
            subject("Ana is the owner of Payments.").as_deref(),
            Some("payment")
        );
        // No named thing: the person stays the subject.
        assert_eq!(
            subject("Ana leads the mobile team.").as_deref(),
            Some("ana")
        );
        assert_eq!(
            subject("Grace Kuznetsov's new manager is Lars Eriksen.").as_deref(),
            Some("grac kuznetsov")
        );
        // A possessive ends the name.
        assert_eq!(
            subject("Hiroshi's GP is Dr. Varga.").as_deref(),
            Some("hiroshi")
        );
    }

    #[test]
    fn an_attribute_named_in_other_words_gets_the_question_words() {
        let terms = |t: &str| attribute_terms(t, false);
        assert!(terms("Ana Ortiz reports to Ben Weiss.").contains(&"manager".to_string()));
        assert!(terms("Gateway-worker was migrated to Redis.").contains(&"database".to_string()));
        assert!(terms("Project Badger's deadline slipped to May 3.").contains(&"due".to_string()));
        // Words the statement has already are not added.
        assert!(!terms("Ana Ortiz's manager is Ben Weiss.").contains(&"manager".to_string()));
        // A name of a known kind in passing names no attribute.
        assert!(terms("The build needs cmake 3.28 on Debian.").is_empty());
        assert!(terms("Ana likes tea.").is_empty());
    }

    #[test]
    fn identifiers_in_a_query_are_names_with_digits() {
        assert_eq!(
            query_identifiers("Which OS does host metis7 run, and web-03's?"),
            ["metis7", "web-03"]
        );
        assert!(query_identifiers("Which dairy-free desserts does Nate like in 2023?").is_empty());
    }

    #[test]
    fn verbs_imply_an_attribute_only_toward_a_name() {
        let implied = |t: &str| Analysis::new(t).implied();
        assert!(implied("Bjorn works from Lisbon.").contains("live"));
        assert!(implied("Ana moved to Porto.").contains("live"));
        assert!(implied("Ana reports to Tom Grant.").contains("lead"));
        assert!(!implied("Bjorn works at Bosch.").contains("live"));
        assert!(implied("Helga moved to room 925.").is_empty());
        assert!(implied("Bjorn works from home.").is_empty());
    }

    #[test]
    fn lower_case_service_names_are_names() {
        for w in ["search-sync", "ledger-api", "billing-worker", "orders-db"] {
            assert!(is_service_name(w), "{w}");
        }
        for w in [
            "co-worker",
            "long-term",
            "well-known",
            "e-mail",
            "read-only",
            "web-server",
        ] {
            assert!(!is_service_name(w), "{w}");
        }
        let a = Analysis::new("The search-sync service is owned by the Platform team.");
        assert_eq!(a.subject.as_deref(), Some("search-sync"));
    }

    #[test]
    fn the_kind_after_a_name_is_no_shared_attribute() {
        let a = |t: &str| Analysis::new(t);
        // The writer decided two things: one shared word of several.
        assert!(!same_attribute_changed(
            &Analysis::new("We decided to rotate API keys every 90 days."),
            &Analysis::new("We decided to move deploys from GKE to our own Hetzner servers.")
        ));
        assert!(!same_attribute_changed(
            &a("The auth-cache service is owned by the Payments team."),
            &a("The auth-cache service listens on port 3438.")
        ));
        assert!(same_attribute_changed(
            &a("The auth-cache service listens on port 4000."),
            &a("The auth-cache service listens on port 3438.")
        ));
    }

    #[test]
    fn a_region_or_an_identifier_is_no_place_to_live() {
        assert!(
            Analysis::new("Ana moved to Lisbon.")
                .implied()
                .contains("live")
        );
        assert!(
            !Analysis::new("Ledger-api was moved to eu-central-1.")
                .implied()
                .contains("live")
        );
        assert!(
            !Analysis::new("Host atlas2 was moved to rack B4.")
                .implied()
                .contains("live")
        );
    }

    #[test]
    fn stems_fold_plurals_tenses_and_synonyms() {
        assert_eq!(stem("builds"), "build");
        assert_eq!(stem("requires"), "need");
        assert_eq!(stem("changed"), stem("change"));
        assert_eq!(stem("Alice's"), stem("alice"));
        assert_eq!(stem("16.2"), "16.2");
        assert_eq!(stem("supplier"), stem("supplied"));
        assert_eq!(stem("teacher"), stem("teaches"));
        assert_eq!(stem("frightened"), stem("scared"));
        assert_ne!(stem("server"), stem("serves"));
        // A verb and its "-ation" noun, the verb known to WordNet.
        assert_eq!(stem("indentation"), stem("indented"));
        assert_eq!(stem("installations"), stem("install"));
        assert_eq!(stem("rotation"), stem("rotated"));
        assert_ne!(stem("station"), stem("stated"));
    }

    #[test]
    fn words_keep_versions_times_and_names() {
        assert_eq!(
            words_of("Postgres 16.2 at 02:00, deploy-bot."),
            ["Postgres", "16.2", "at", "02:00", "deploy-bot"]
        );
        assert_eq!(
            words_of("Ask in #release-train, not C# or a#b # x"),
            ["Ask", "in", "#release-train", "not", "C", "or", "a#b", "x"]
        );
    }

    #[test]
    fn subject_and_values() {
        let a = Analysis::new("Alice lives in Berlin.");
        assert_eq!(a.subject, Some(stem("Alice")));
        assert!(a.values().contains("berlin"));
        let b = Analysis::new("My favourite colour is blue.");
        assert_eq!(b.subject.as_deref(), Some("@user"));
        let c = Analysis::new("The build needs cmake.");
        assert_eq!(c.subject, None);
        assert!(Analysis::new("Sara is not vegetarian anymore").negated);
        // An opening filler is neither the subject nor in the way of one.
        let d = Analysis::new("Actually my favourite food is now sushi.");
        assert_eq!(d.subject.as_deref(), Some("@user"));
        let e = Analysis::new("Honestly, Alice lives in Rome.");
        assert_eq!(e.subject, Some(stem("Alice")));
        let f = Analysis::new("Currently the build needs cmake.");
        assert_eq!(f.subject, None);
        // Names in -ly are names.
        let g = Analysis::new("Emily: I moved to Paris");
        assert_eq!(g.subject, Some(stem("Emily")));
    }

    #[test]
    fn times_and_frequencies_said_another_way_are_the_same_words() {
        let same = |a: &str, b: &str| {
            let (x, y) = (Analysis::new(a), Analysis::new(b));
            assert_eq!(x.stems(), y.stems(), "{a} / {b}");
            assert_eq!(x.values(), y.values(), "{a} / {b}");
        };
        same(
            "The salt is refilled monthly.",
            "The salt is refilled once a month.",
        );
        same(
            "The dog is fed twice a day.",
            "The dog is fed 2 times daily.",
        );
        same(
            "Requests time out after half a minute.",
            "Requests time out after 30 seconds.",
        );
        same(
            "The rotation changes at noon.",
            "The rotation changes at 12:00.",
        );
        same(
            "He sleeps before two in the morning.",
            "He sleeps before 2am.",
        );
        same(
            "The dog eats at 7 and at 18.",
            "The dog eats at 7am and at 6pm.",
        );
        same(
            "The card is paid on the fifth of each month.",
            "The card is paid on the 5th of each month.",
        );
        same(
            "Staging runs on three virtual machines.",
            "Staging runs on 3 VMs.",
        );
        same("We run it on k8s.", "We run it on Kubernetes.");
        same(
            "Insurance costs 180 euros annually.",
            "Insurance costs 180 euros a year.",
        );
        same("Backups run 3 days a week.", "Backups run 3 days weekly.");
        same(
            "Maintenance starts at 2 at night.",
            "Maintenance starts at 2am.",
        );
        // Units written together, thousands, hundreds in words, short
        // month names beside a day, spans, common abbreviations.
        same("The desk is set to 108cm.", "The desk is set to 108 cm.");
        same("The window is 2h.", "The window is 2 hours.");
        same(
            "Budgets over €50k need sign-off.",
            "Budgets over €50,000 need sign-off.",
        );
        same(
            "The cap is two hundred requests.",
            "The cap is 200 requests.",
        );
        same(
            "Surgery was on Feb 3, 2026.",
            "Surgery was on 3 February 2026.",
        );
        // Calendar dates in any style, times of day in words, degrees.
        same(
            "Surgery was on 2026-02-03.",
            "Surgery was on the 3rd of Feb 2026.",
        );
        same(
            "The visa runs until 2027-08-31.",
            "The visa runs until August 31st, 2027.",
        );
        same("Tax is due 31 Jan.", "Tax is due on the 31st of January.");
        assert_eq!(
            same_words("Restore backup-2026-12-14.tar (from 2026-12-14)."),
            "Restore backup-2026-12-14.tar (from 14 December 2026)."
        );
        same(
            "School starts at 8:20.",
            "School starts at twenty past eight.",
        );
        same("Doors open at 18:30.", "Doors open at half past six.");
        same("Pickup is at 15:10.", "Pickup is at ten past three.");
        same("Give 0.5 tablet.", "Give half a tablet.");
        same("Keep BP under 130/80.", "Keep BP under 130 over 80.");
        same(
            "The tank holds 1,000 L.",
            "The tank holds one thousand litres.",
        );
        same("Tax is due 31 Jan.", "Tax is due the 31st of Jan.");
        same(
            "The bus leaves at 8:45.",
            "The bus leaves at quarter to nine.",
        );
        same("Store it at 4 °C.", "Store it at four degrees Celsius.");
        same(
            "Keep it below 40°F.",
            "Keep it below 40 degrees Fahrenheit.",
        );
        same(
            "Nadia works a 3-day week.",
            "Nadia works three days a week.",
        );
        same("Her personal best is 24:10.", "Her PB is 24:10.");
        same(
            "His mum and dad live in Bergen.",
            "His parents live in Bergen.",
        );
        same("Rent is 1,450 pounds.", "Rent is 1,450 GBP.");
        same("Rent is £1,450 a month.", "Rent is 1,450 pounds monthly.");
        same("Logs are rotated by day.", "Logs are rotated daily.");
        same("The timeout is 30s.", "The timeout is 30 seconds.");
        same("Backups run every night.", "Backups run nightly.");
        same("The fence is 180 cm high.", "The fence is 1.8m high.");
        same(
            "Alerts fire above 800 ms.",
            "Alerts fire above 0.8 seconds.",
        );
        same(
            "Redis is at cache.internal:6380.",
            "Redis is at cache.internal port 6380.",
        );
        same(
            "Rent is paid on the first of each month.",
            "Rent is paid on the 1st of every month.",
        );
        same("The timeout is 45 secs.", "The timeout is 45 seconds.");
        same("The timeout is 45sec.", "The timeout is 45 seconds.");
        same("The baud rate is 115.2k.", "The baud rate is 115200.");
        same("We have 12k users.", "We have 12,000 users.");
        // A name, not a month; a race.
        for kept in [
            "Jan reviews the PR.",
            "She ran a 5k.",
            "She is in her 30s.",
            "Jazz of the 1950s.",
            "We may 3D-print it.",
            "It is ten to one we lose.",
            "Gate C is closed.",
        ] {
            assert_eq!(same_words(kept), kept);
        }
        // A time, not a frequency; a measure, not an hour; an order, not
        // a day of the month.
        for kept in [
            "We met a month ago.",
            "A week later it broke.",
            "The release ships in a week.",
            "It held for a day.",
            "The first of the two disks failed.",
            "Disks alert at 90%.",
            "It runs at 3.5 GHz.",
        ] {
            assert_eq!(same_words(kept), kept);
        }
        assert_eq!(
            same_words("Rent is due on the first of the month."),
            "Rent is due on the 1th of the month."
        );
        assert_eq!(
            same_words("rent is twelve hundred a month, forty thousand a year"),
            "rent is 1200 monthly, 40000 yearly"
        );
        assert_ne!(
            Analysis::new("Maintenance starts at 2 at night.").values(),
            Analysis::new("Maintenance starts at 2pm.").values()
        );
        assert_eq!(
            same_words("Lights out at 12 at night."),
            "Lights out at 00:00."
        );
    }

    #[test]
    fn values_written_another_way_are_one_value() {
        for (a, b) in [
            ("2am", "02:00"),
            ("2:00", "02:00"),
            ("6:45pm", "18:45"),
            ("12am", "00:00"),
            ("12pm", "12:00"),
            ("20th", "20"),
            ("0th", "0"),
            ("sixteen", "16"),
            ("1,250", "1250"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        // Versions, ids and plain numbers stay as written.
        for w in ["1.79", "v2", "10.0.4.1", "25:99", "5"] {
            assert_eq!(stem(w), w.to_lowercase(), "{w}");
        }
        assert_eq!(stem("64GB".to_lowercase().as_str()), "64gb");
        assert_eq!(stem("gigabytes"), stem("GB"));
        // A number word is a value; a unit is not.
        let a = Analysis::new("The build box has sixteen cores and 64 GB");
        assert!(a.values().contains("16"));
        assert!(!a.values().contains("gb"));
    }

    #[test]
    fn overlap_sees_changed_values() {
        let o = overlap(
            &Analysis::new("Alice lives in Paris"),
            &Analysis::new("Alice lives in Berlin"),
        );
        assert!(o.new_values.contains("paris") && o.lost_values.contains("berlin"));
        assert_eq!(o.shared_beyond_subject, 1);
    }
}
