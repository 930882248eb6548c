//! `mem eval drift`: facts that change over a simulated year, written one
//! by one through curation (the code of `mem add`, each with its observed
//! date), then asked about: the current value (`mem recall`) and the value
//! at past dates (`mem recall --as-of`). Deterministic by seed.
//!
//! - Subjects of four sorts (people, services, projects, hosts), five
//!   attributes each (an office room, a port, a deadline, RAM…): one fact
//!   per subject and attribute. Each attribute has several phrasings for a
//!   first statement and for a change (with a change word, or the new value
//!   stated plainly), and a question phrased apart from both.
//! - A share of the facts (`--changed`, 0.3) changes one to three times
//!   between February and December; every first statement is observed in
//!   January. All statements are added in time order.
//! - A hit is about a fact when its title or text holds the subject's name
//!   and one of the attribute's words; it holds a value when the value is
//!   there as whole words. Scores: current-value recall@1, as-of recall@1
//!   (one date inside each span a changed fact held, and one date for a
//!   fifth of the unchanged ones), and stale hits: a superseded value shown
//!   as current in the top 5 of a current-value question.

use crate::curate::{Mode, Options, curate_add};
use crate::model::select::Models;
use crate::ops::AddRequest;
use crate::recall::{Query, recall_with};
use crate::rng::Rng;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// One attribute of a sort of subject.
struct Attr {
    name: &'static str,
    /// Phrasings of a first statement; `{s}` the subject, `{v}` the value.
    first: &'static [&'static str],
    /// Phrasings of a change.
    change: &'static [&'static str],
    question: &'static str,
    /// A hit is about this attribute when it holds one of these words.
    words: &'static [&'static str],
    values: fn(&mut Rng) -> String,
}

struct Sort {
    name: &'static str,
    subjects: fn(&mut Rng, usize) -> Vec<String>,
    attrs: &'static [Attr],
}

const FIRST: &[&str] = &[
    "Priya", "Tom", "Ana", "Kenji", "Fatima", "Lars", "Chloe", "Diego", "Mei", "Omar", "Sofia",
    "Ivan", "Grace", "Tariq", "Elena", "Jonas", "Aisha", "Pablo", "Hana", "Marcus", "Nadia",
    "Felix", "Yusuf", "Ingrid", "Rafael", "Leila", "Bjorn", "Camila", "Dmitri", "Esther", "Farid",
    "Greta", "Hugo", "Imani", "Jakob", "Keiko", "Luca", "Maya", "Nikolai", "Olga", "Pedro",
    "Quinn", "Rosa", "Stefan", "Thandiwe", "Uma", "Viktor", "Wanda", "Xavier", "Yara", "Zane",
    "Amara", "Bruno", "Carmen", "Dario", "Eitan", "Freya", "Gustav", "Helga", "Ines",
];
const LAST: &[&str] = &[
    "Raman",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Haddad",
    "Novak",
    "Ferreira",
    "Byrne",
    "Kowalski",
    "Mensah",
    "Castillo",
    "Ito",
    "Petrov",
    "Nakamura",
    "Schulz",
    "Adeyemi",
    "Rossi",
    "Andersen",
    "Bianchi",
    "Chowdhury",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gallagher",
    "Horvath",
    "Iqbal",
    "Jansen",
    "Kuznetsov",
    "Laine",
    "Mbeki",
    "Nilsen",
    "Oliveira",
    "Park",
    "Quispe",
    "Rahman",
    "Silva",
    "Takahashi",
    "Ueda",
    "Varga",
    "Wojcik",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Abbott",
    "Brennan",
    "Costa",
    "Delgado",
    "Evans",
    "Farouk",
    "Grant",
    "Hoffman",
    "Ibrahim",
    "Jovanovic",
    "Kaur",
    "Lopez",
    "Murphy",
    "Nguyen",
    "Osei",
    "Pereira",
];
const CITIES: &[&str] = &[
    "Lisbon",
    "Toronto",
    "Nairobi",
    "Osaka",
    "Krakow",
    "Denver",
    "Porto",
    "Helsinki",
    "Austin",
    "Bangalore",
    "Dublin",
    "Santiago",
    "Leeds",
    "Tallinn",
];
const EDITORS: &[&str] = &[
    "Vim",
    "Emacs",
    "VS Code",
    "Helix",
    "Zed",
    "Sublime Text",
    "IntelliJ",
    "Neovim",
    "Kakoune",
];
const TEAMS: &[&str] = &[
    "Platform",
    "Payments",
    "Growth",
    "Core",
    "Data",
    "Infra",
    "Mobile",
    "Security",
    "Identity",
    "Reliability",
];
const DATABASES: &[&str] = &[
    "PostgreSQL",
    "MySQL",
    "MongoDB",
    "Cassandra",
    "DynamoDB",
    "Redis",
    "SQLite",
    "CockroachDB",
    "ClickHouse",
];
const REGIONS: &[&str] = &[
    "eu-west-1",
    "us-east-1",
    "us-west-2",
    "ap-south-1",
    "eu-central-1",
    "ap-northeast-1",
    "ca-central-1",
    "sa-east-1",
    "eu-north-1",
];
const PHASES: &[&str] = &[
    "discovery",
    "design",
    "prototype",
    "build",
    "beta",
    "rollout",
    "maintenance",
    "planning",
    "testing",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SYSTEMS: &[&str] = &[
    "Ubuntu 22.04",
    "Debian 12",
    "Fedora 40",
    "Rocky Linux 9",
    "Alpine 3.19",
    "Arch Linux",
    "NixOS 24.05",
    "FreeBSD 14",
    "Ubuntu 24.04",
];
const WORDS: &[&str] = &[
    "alpha", "amber", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "juniper",
    "kestrel", "lumen", "maple", "nimbus", "onyx", "pine", "quartz", "raven", "sable", "tundra",
];
const SERVICE_A: &[&str] = &[
    "billing",
    "search",
    "checkout",
    "auth",
    "inventory",
    "payments",
    "notify",
    "ledger",
    "gateway",
    "reporting",
];
const SERVICE_B: &[&str] = &["api", "worker", "sync", "cache", "indexer"];
const NAMES: &[&str] = &[
    "Falcon",
    "Heron",
    "Osprey",
    "Kestrel",
    "Condor",
    "Puffin",
    "Albatross",
    "Magpie",
    "Starling",
    "Wren",
    "Lynx",
    "Otter",
    "Badger",
    "Marten",
    "Bison",
    "Ibex",
    "Gazelle",
    "Jaguar",
    "Panther",
    "Cougar",
    "Orion",
    "Vega",
    "Sirius",
    "Rigel",
    "Altair",
    "Deneb",
    "Polaris",
    "Capella",
    "Antares",
    "Mira",
    "Cedar",
    "Birch",
    "Aspen",
    "Willow",
    "Alder",
    "Rowan",
    "Hazel",
    "Linden",
    "Spruce",
    "Larch",
    "Quasar",
    "Pulsar",
    "Nebula",
    "Comet",
    "Meteor",
    "Aurora",
    "Zenith",
    "Horizon",
    "Summit",
    "Glacier",
    "Tempest",
    "Monsoon",
    "Cyclone",
    "Typhoon",
    "Mistral",
];
const HOSTS: &[&str] = &[
    "atlas", "boreas", "calypso", "dione", "elara", "freya", "gaia", "helios", "iris", "janus",
    "kronos", "leda", "metis", "nyx", "oberon", "pallas", "rhea", "selene", "tethys", "umbriel",
];

fn distinct(rng: &mut Rng, n: usize, make: impl Fn(&mut Rng) -> String) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut tries = 0;
    while out.len() < n && tries < n * 100 {
        tries += 1;
        let s = make(rng);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(FIRST), rng.pick(LAST))
}

const PEOPLE: &[Attr] = &[
    Attr {
        name: "office",
        first: &["{s}'s office is in room {v}.", "{s} sits in room {v}."],
        change: &[
            "{s} moved to room {v}.",
            "{s}'s office is now room {v}.",
            "{s}'s office is in room {v}.",
        ],
        question: "Which room is {s}'s office in?",
        words: &["room", "office"],
        values: |r| format!("{}", r.range(1, 9) * 100 + r.range(1, 40)),
    },
    Attr {
        name: "manager",
        first: &["{s} reports to {v}.", "{s}'s manager is {v}."],
        change: &[
            "{s} now reports to {v}.",
            "{s}'s new manager is {v}.",
            "{s} reports to {v}.",
        ],
        question: "Who is {s}'s manager?",
        words: &["reports", "manager"],
        values: person,
    },
    Attr {
        name: "city",
        first: &["{s} works from {v}.", "{s} is based in {v}."],
        change: &[
            "{s} relocated to {v}.",
            "{s} is based in {v} now.",
            "{s} works from {v}.",
        ],
        question: "Which city is {s} based in?",
        words: &["works from", "based", "relocated"],
        values: |r| r.pick(CITIES).to_string(),
    },
    Attr {
        name: "extension",
        first: &[
            "{s}'s phone extension is {v}.",
            "You can reach {s} on extension {v}.",
        ],
        change: &[
            "{s}'s extension changed to {v}.",
            "{s}'s phone extension is {v}.",
        ],
        question: "What is {s}'s phone extension?",
        words: &["extension"],
        values: |r| format!("{}", r.range(2000, 8999)),
    },
    Attr {
        name: "editor",
        first: &[
            "{s} uses {v} as their editor.",
            "{s}'s editor of choice is {v}.",
        ],
        change: &[
            "{s} switched editors to {v}.",
            "{s} now uses {v} as their editor.",
        ],
        question: "Which editor does {s} use?",
        words: &["editor", "editors"],
        values: |r| r.pick(EDITORS).to_string(),
    },
];

const SERVICES: &[Attr] = &[
    Attr {
        name: "port",
        first: &[
            "The {s} service listens on port {v}.",
            "{s} serves traffic on port {v}.",
        ],
        change: &[
            "{s} moved to port {v}.",
            "The {s} service listens on port {v} now.",
            "The {s} service listens on port {v}.",
        ],
        question: "Which port does {s} listen on?",
        words: &["port"],
        values: |r| format!("{}", r.range(3000, 9999)),
    },
    Attr {
        name: "owner",
        first: &["The {s} service is owned by the {v} team."],
        change: &[
            "Ownership of {s} passed to the {v} team.",
            "The {s} service is owned by the {v} team.",
        ],
        question: "Which team owns {s}?",
        words: &["owned", "ownership"],
        values: |r| r.pick(TEAMS).to_string(),
    },
    Attr {
        name: "database",
        first: &["{s} stores its data in {v}."],
        change: &["{s} was migrated to {v}.", "{s} stores its data in {v}."],
        question: "Which database does {s} store its data in?",
        words: &["data", "migrated"],
        values: |r| r.pick(DATABASES).to_string(),
    },
    Attr {
        name: "version",
        first: &["{s} runs version {v} in production."],
        change: &[
            "{s} was upgraded to version {v}.",
            "{s} runs version {v} in production.",
        ],
        question: "Which version of {s} runs in production?",
        words: &["version"],
        values: |r| format!("{}.{}.{}", r.range(1, 4), r.range(0, 19), r.range(0, 9)),
    },
    Attr {
        name: "region",
        first: &["{s} is deployed in {v}."],
        change: &[
            "{s} was moved to the {v} region.",
            "{s} is deployed in {v}.",
        ],
        question: "Which region is {s} deployed in?",
        words: &["deployed", "region"],
        values: |r| r.pick(REGIONS).to_string(),
    },
];

const PROJECTS: &[Attr] = &[
    Attr {
        name: "deadline",
        first: &["Project {s} is due on {v}."],
        change: &[
            "Project {s}'s deadline slipped to {v}.",
            "Project {s} is due on {v}.",
        ],
        question: "When is project {s} due?",
        words: &["due", "deadline"],
        values: |r| format!("{} {}", r.pick(MONTHS), r.range(1, 28)),
    },
    Attr {
        name: "lead",
        first: &["{v} leads project {s}.", "Project {s} is led by {v}."],
        change: &[
            "{v} took over as lead of project {s}.",
            "Project {s} is led by {v}.",
        ],
        question: "Who leads project {s}?",
        words: &["leads", "led", "lead"],
        values: person,
    },
    Attr {
        name: "budget",
        first: &["Project {s} has a budget of {v} thousand euros."],
        change: &[
            "Project {s}'s budget was changed to {v} thousand euros.",
            "Project {s} has a budget of {v} thousand euros.",
        ],
        question: "What is the budget of project {s}?",
        words: &["budget"],
        values: |r| format!("{}", r.range(5, 90) * 10),
    },
    Attr {
        name: "phase",
        first: &["Project {s} is in the {v} phase."],
        change: &[
            "Project {s} moved into the {v} phase.",
            "Project {s} is in the {v} phase.",
        ],
        question: "Which phase is project {s} in?",
        words: &["phase"],
        values: |r| r.pick(PHASES).to_string(),
    },
    Attr {
        name: "channel",
        first: &["Project {s} is discussed in the {v} channel."],
        change: &[
            "Project {s}'s discussions moved to the {v} channel.",
            "Project {s} is discussed in the {v} channel.",
        ],
        question: "Which channel is project {s} discussed in?",
        words: &["channel", "discussed", "discussions"],
        values: |r| format!("#{}-{}", r.pick(WORDS), r.pick(WORDS)),
    },
];

const MACHINES: &[Attr] = &[
    Attr {
        name: "ram",
        first: &["{s} has {v} GB of RAM."],
        change: &[
            "{s} was upgraded to {v} GB of RAM.",
            "{s} has {v} GB of RAM.",
        ],
        question: "How much RAM does {s} have?",
        words: &["RAM"],
        values: |r| {
            format!(
                "{}",
                [8, 16, 24, 32, 48, 64, 96, 128, 192, 256][r.below(10)]
            )
        },
    },
    Attr {
        name: "cores",
        first: &["{s} has {v} CPU cores."],
        change: &["{s} now has {v} CPU cores.", "{s} has {v} CPU cores."],
        question: "How many CPU cores does {s} have?",
        words: &["cores"],
        values: |r| format!("{}", [4, 6, 8, 12, 16, 20, 24, 32, 48, 64][r.below(10)]),
    },
    Attr {
        name: "os",
        first: &["{s} runs {v} as its operating system."],
        change: &[
            "{s} was reinstalled with {v}.",
            "{s} runs {v} as its operating system.",
        ],
        question: "Which operating system does {s} run?",
        words: &["operating system", "reinstalled"],
        values: |r| r.pick(SYSTEMS).to_string(),
    },
    Attr {
        name: "ip",
        first: &["{s} has the IP address {v}."],
        change: &[
            "{s}'s IP address changed to {v}.",
            "{s} has the IP address {v}.",
        ],
        question: "What is the IP address of {s}?",
        words: &["IP"],
        values: |r| {
            format!(
                "10.{}.{}.{}",
                r.range(0, 40),
                r.range(0, 255),
                r.range(2, 254)
            )
        },
    },
    Attr {
        name: "rack",
        first: &["{s} sits in rack {v}."],
        change: &["{s} was moved to rack {v}.", "{s} sits in rack {v}."],
        question: "Which rack is {s} in?",
        words: &["rack"],
        values: |r| {
            format!(
                "{}{}",
                ["A", "B", "C", "D", "E", "F", "G", "H"][r.below(8)],
                r.range(1, 9)
            )
        },
    },
];

const SORTS: &[Sort] = &[
    Sort {
        name: "person",
        subjects: |r, n| {
            // Nobody shares a first or a last name with another subject: a
            // team where two people share one is a retrieval test, not a
            // drift one.
            let mut firsts: Vec<&str> = FIRST.to_vec();
            let mut lasts: Vec<&str> = LAST.to_vec();
            let mut out = Vec::new();
            while out.len() < n && !firsts.is_empty() && !lasts.is_empty() {
                let f = firsts.remove(r.below(firsts.len()));
                let l = lasts.remove(r.below(lasts.len()));
                out.push(format!("{f} {l}"));
            }
            out
        },
        attrs: PEOPLE,
    },
    Sort {
        name: "service",
        subjects: |r, n| {
            distinct(r, n, |r| {
                format!("{}-{}", r.pick(SERVICE_A), r.pick(SERVICE_B))
            })
        },
        attrs: SERVICES,
    },
    Sort {
        name: "project",
        subjects: |r, n| distinct(r, n, |r| r.pick(NAMES).to_string()),
        attrs: PROJECTS,
    },
    Sort {
        name: "host",
        subjects: |r, n| {
            distinct(r, n, |r| {
                format!("host {}", r.pick(HOSTS)) + &format!("{}", r.range(1, 9))
            })
        },
        attrs: MACHINES,
    },
];

/// One fact: a subject's attribute and the values it took, each from a time.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub sort: &'static str,
    pub subject: String,
    pub attr: &'static str,
    /// (observed time in seconds, value), oldest first.
    pub versions: Vec<(i64, String)>,
    pub question: String,
    #[serde(skip)]
    words: &'static [&'static str],
}

/// One statement to add, in time order.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub time: i64,
    pub text: String,
    pub fact: usize,
    pub version: usize,
}

/// Seconds of 2026-01-01T00:00:00Z.
const YEAR_START: i64 = 1_767_225_600;
const DAY: i64 = 86_400;

fn fill(t: &str, s: &str, v: &str) -> String {
    let out = t.replace("{s}", s).replace("{v}", v);
    // A sentence starts with a capital ("host atlas3 has…").
    let mut c = out.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => out,
    }
}

/// The facts and the statements that tell them, deterministic by `seed`.
/// `subjects` is spread over the four sorts; every subject has five facts.
pub fn generate(seed: u64, subjects: usize, changed: f64) -> (Vec<Fact>, Vec<Statement>) {
    let mut rng = Rng::new(seed);
    let mut facts = Vec::new();
    let mut statements = Vec::new();
    for (si, sort) in SORTS.iter().enumerate() {
        let n = subjects / SORTS.len() + usize::from(si < subjects % SORTS.len());
        for subject in (sort.subjects)(&mut rng, n) {
            for attr in sort.attrs {
                let changes = if rng.chance(changed) {
                    rng.range(1, 3)
                } else {
                    0
                };
                let first =
                    YEAR_START + rng.range(0, 30) as i64 * DAY + rng.range(8, 18) as i64 * 3600;
                let mut days: Vec<i64> = Vec::new();
                while days.len() < changes {
                    let d = rng.range(31, 350) as i64;
                    if !days.contains(&d) {
                        days.push(d);
                    }
                }
                days.sort();
                let mut versions: Vec<(i64, String)> = Vec::new();
                let times = std::iter::once(first).chain(
                    days.iter()
                        .map(|d| YEAR_START + d * DAY + rng.range(8, 18) as i64 * 3600),
                );
                for t in times.collect::<Vec<_>>() {
                    let value = loop {
                        let v = (attr.values)(&mut rng);
                        if v != subject && !versions.iter().any(|(_, o)| *o == v) {
                            break v;
                        }
                    };
                    let template = if versions.is_empty() {
                        rng.pick(attr.first)
                    } else {
                        rng.pick(attr.change)
                    };
                    statements.push(Statement {
                        time: t,
                        text: fill(template, &subject, &value),
                        fact: facts.len(),
                        version: versions.len(),
                    });
                    versions.push((t, value));
                }
                facts.push(Fact {
                    sort: sort.name,
                    question: fill(attr.question, &subject, ""),
                    subject: subject.clone(),
                    attr: attr.name,
                    versions,
                    words: attr.words,
                });
            }
        }
    }
    statements.sort_by(|a, b| a.time.cmp(&b.time).then(a.fact.cmp(&b.fact)));
    (facts, statements)
}

/// What a planted statement is, in the dream benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Planted {
    /// A fact's first statement.
    First,
    /// The same value of the same fact again, said another way, later.
    Duplicate,
    /// A later, different value of the same fact, written without curation.
    Change,
}

/// Phrasings that say a statement again with nothing new.
const RESTATE: &[&str] = &["Note: {t}", "To recap: {t}", "Reminder: {t}", "FYI: {t}"];

/// Facts for `mem eval dream`: every fact's first statement, then
/// `duplicates` facts said again another way (another first phrasing, or
/// the statement restated) and `changes` other facts given a later value,
/// deterministic by `seed`. The statements come with their fact, oldest
/// first per fact; no fact is both duplicated and changed.
pub fn planted(
    seed: u64,
    subjects: usize,
    duplicates: usize,
    changes: usize,
) -> Vec<(Statement, Planted)> {
    let mut rng = Rng::new(seed);
    // (fact, first time, value, attr, subject, first template index)
    let mut firsts = Vec::new();
    for (si, sort) in SORTS.iter().enumerate() {
        let n = subjects / SORTS.len() + usize::from(si < subjects % SORTS.len());
        for subject in (sort.subjects)(&mut rng, n) {
            for attr in sort.attrs {
                let t =
                    YEAR_START + rng.range(0, 120) as i64 * DAY + rng.range(8, 18) as i64 * 3600;
                let value = loop {
                    let v = (attr.values)(&mut rng);
                    if v != subject {
                        break v;
                    }
                };
                let k = rng.below(attr.first.len());
                firsts.push((t, value, attr, subject.clone(), k));
            }
        }
    }
    // Which facts get a duplicate / a change: a seeded shuffle.
    let mut order: Vec<usize> = (0..firsts.len()).collect();
    rng.shuffle(&mut order);
    let mut out = Vec::new();
    for (i, (t, value, attr, subject, k)) in firsts.iter().enumerate() {
        out.push((
            Statement {
                time: *t,
                text: fill(attr.first[*k], subject, value),
                fact: i,
                version: 0,
            },
            Planted::First,
        ));
    }
    for (n, &i) in order.iter().take(duplicates + changes).enumerate() {
        let (t, value, attr, subject, k) = &firsts[i];
        let later = t + rng.range(1, 200) as i64 * DAY;
        let (text, what, version) = if n < duplicates {
            let text = if attr.first.len() > 1 {
                fill(attr.first[(k + 1) % attr.first.len()], subject, value)
            } else {
                let wrap = rng.pick::<&str>(RESTATE);
                wrap.replace("{t}", &fill(attr.first[*k], subject, value))
            };
            (text, Planted::Duplicate, 0)
        } else {
            let new = loop {
                let v = (attr.values)(&mut rng);
                if v != *subject && v != *value {
                    break v;
                }
            };
            let template = rng.pick::<&str>(attr.change);
            (fill(template, subject, &new), Planted::Change, 1)
        };
        out.push((
            Statement {
                time: later,
                text,
                fact: i,
                version,
            },
            what,
        ));
    }
    out
}

/// Whether `needle` is in `hay` as whole words (case-insensitive).
fn has_words(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.to_lowercase(), needle.to_lowercase());
    let mut from = 0;
    while let Some(i) = h[from..].find(&n) {
        let s = from + i;
        let e = s + n.len();
        let before = h[..s].chars().next_back();
        let after = h[e..].chars().next();
        let edge_before = before.is_none_or(|c| !c.is_alphanumeric());
        let edge_after = after.is_none_or(|c| !c.is_alphanumeric())
            && !(after == Some('.')
                && h[e + 1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit()));
        if edge_before && edge_after {
            return true;
        }
        from = s + n.len().max(1);
    }
    false
}

impl Fact {
    fn about(&self, text: &str) -> bool {
        has_words(text, &self.subject) && self.words.iter().any(|w| has_words(text, w))
    }
    /// The value held at time `t`, if the fact had begun.
    fn at(&self, t: i64) -> Option<&str> {
        self.versions
            .iter()
            .rev()
            .find(|(s, _)| *s <= t)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub seed: u64,
    pub subjects: usize,
    pub facts: usize,
    pub changed_facts: usize,
    pub statements: usize,
    /// Curation's decisions over all statements.
    pub ops: BTreeMap<String, usize>,
    /// Decisions on change statements (a later value of a fact): a
    /// supersede is right, an add or a merge leaves two current values.
    pub change_ops: BTreeMap<String, usize>,
    /// Decisions on first statements: anything but an add loses a fact.
    pub first_ops: BTreeMap<String, usize>,
    pub current_asked: usize,
    pub current_at1: f64,
    /// The top hit is about the asked fact (its subject and attribute),
    /// whatever the value: what retrieval alone reaches, the ceiling of
    /// `current_at1`.
    pub current_fact_at1: f64,
    pub as_of_asked: usize,
    pub as_of_at1: f64,
    pub as_of_fact_at1: f64,
    /// Top-5 hits of current-value questions showing an older value of the
    /// asked fact as current.
    pub stale_current: usize,
    /// Such hits that recall flagged as maybe outdated (`newer`: a newer
    /// entry among the candidates gives the same attribute another value),
    /// not counted in `stale_current`.
    pub stale_flagged: usize,
    /// Where the entries were filed: how many topics hold each subject's
    /// entries (mean; a person keeps one subject in one topic) and the
    /// share of entries in a topic whose most frequent subject is theirs
    /// (purity; a topic of one subject's entries is pure).
    pub topics_per_subject: f64,
    pub topic_purity: f64,
    pub topics: usize,
    /// With `--dream`: what `mem dream` changed after the adds, and how
    /// many of its changes joined two entries of different facts (wrong).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dream: Option<DreamScore>,
    pub add_ms_p50: f64,
    pub add_s_total: f64,
    pub recall_ms_p50: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mistakes: Vec<Mistake>,
    /// Wrong curation decisions: a first statement that did not add, a
    /// change that did not supersede an entry of its own fact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub curation_mistakes: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct DreamScore {
    pub supersedes: usize,
    pub supersedes_wrong: usize,
    pub duplicates: usize,
    pub duplicates_wrong: usize,
    pub seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct Mistake {
    pub question: String,
    pub as_of: Option<String>,
    pub expected: String,
    pub got: String,
}

pub struct RunOptions {
    pub seed: u64,
    pub subjects: usize,
    pub changed: f64,
    pub mode: Mode,
    pub work_dir: Option<std::path::PathBuf>,
    /// Run `mem dream` after the adds, before the questions.
    pub dream: bool,
    /// Keep the tree afterwards (its path goes to `progress`).
    pub keep: bool,
}

use crate::time::format_secs as fmt_time;

/// Generates, adds every statement in time order through curation, and
/// asks every question. `progress` gets a line now and then.
pub fn run(o: &RunOptions, models: &Models, progress: &dyn Fn(&str)) -> Result<Report> {
    let (facts, statements) = generate(o.seed, o.subjects, o.changed);
    let (_dir, _guard) = crate::interrupt::scratch_tempdir("mem-eval-", o.work_dir.as_deref())?;
    let tree = crate::tree::init_tree(&_dir.path().join("tree"), "eval")?;
    let mut r = Report {
        seed: o.seed,
        subjects: o.subjects,
        facts: facts.len(),
        changed_facts: facts.iter().filter(|f| f.versions.len() > 1).count(),
        statements: statements.len(),
        ..Default::default()
    };
    let opts = Options {
        mode: o.mode,
        ..Default::default()
    };
    let t_all = Instant::now();
    let mut add_ms = Vec::new();
    // Entry path -> the fact it tells.
    let mut written: BTreeMap<String, usize> = BTreeMap::new();
    for (i, s) in statements.iter().enumerate() {
        let req = AddRequest {
            text: s.text.clone(),
            observed: Some(fmt_time(s.time)),
            ..Default::default()
        };
        let t = Instant::now();
        let rep = curate_add(&tree, models, req, &opts)?;
        add_ms.push(t.elapsed().as_secs_f64() * 1e3);
        for out in &rep.outcomes {
            *r.ops.entry(out.op.to_string()).or_default() += 1;
            let per = if s.version == 0 {
                &mut r.first_ops
            } else {
                &mut r.change_ops
            };
            *per.entry(out.op.to_string()).or_default() += 1;
            let target = out.target.as_deref().unwrap_or("");
            let right = if s.version == 0 {
                out.op == "added"
            } else {
                out.op == "superseded" && written.get(target) == Some(&s.fact)
            };
            if !right {
                // The fact's statement before this one, to read the pair.
                let before = statements[..i]
                    .iter()
                    .rev()
                    .find(|p| p.fact == s.fact)
                    .map(|p| format!(" [after \"{}\"]", p.text))
                    .unwrap_or_default();
                r.curation_mistakes.push(format!(
                    "{}: {} {target} ({}){before}",
                    s.text, out.op, out.reason
                ));
            }
            if matches!(out.op, "added" | "superseded") {
                written.insert(out.path.clone(), s.fact);
            }
        }
        if (i + 1) % 100 == 0 {
            progress(&format!("added {}/{}", i + 1, statements.len()));
        }
    }
    r.add_s_total = t_all.elapsed().as_secs_f64();
    (r.topics_per_subject, r.topic_purity, r.topics) = filing(&written, &facts);
    r.add_ms_p50 = median(&mut add_ms);
    if o.dream {
        let pass = crate::dream::pass(&tree, &Default::default(), false)?;
        let mut d = DreamScore {
            seconds: pass.seconds,
            ..Default::default()
        };
        for p in &pass.proposals {
            // Right: both entries tell the same fact (and, for a
            // supersede, the kept one a later value: dream orders by time).
            let same =
                written.contains_key(&p.keep) && written.get(&p.keep) == written.get(&p.other);
            if p.kind == "supersede" {
                d.supersedes += 1;
                d.supersedes_wrong += usize::from(!same);
            } else {
                d.duplicates += 1;
                d.duplicates_wrong += 1;
            }
            if !same || p.kind != "supersede" {
                r.curation_mistakes
                    .push(format!("dream {} {} / {}", p.kind, p.keep, p.other));
            }
        }
        r.dream = Some(d);
    }
    let (idx, catchup) = crate::index::open(&tree, models, false, false)?;
    let year_end = YEAR_START + 364 * DAY;
    let mut rng = Rng::new(o.seed ^ 0x5EED);
    let mut recall_ms = Vec::new();
    let mut ask = |f: &Fact, as_of: Option<i64>, r: &mut Report| -> Result<()> {
        let q = crate::eval::knobs::with_recall_knobs(Query {
            text: f.question.clone(),
            k: 5,
            max_tier: 3,
            as_of,
            now: Some(year_end),
            ..Default::default()
        });
        let t = Instant::now();
        let (hits, _) = recall_with(&tree, models, &idx, catchup.generation, &q)?;
        if q.tuning.uses_signals() {
            let top: Vec<&str> = hits.iter().take(5).map(|h| h.id.as_str()).collect();
            crate::signals::record(&tree, &top);
        }
        recall_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let expected = f
            .at(as_of.unwrap_or(i64::MAX))
            .unwrap_or_default()
            .to_string();
        let text = |h: &crate::recall::Hit| format!("{} {}", h.title, h.snippet);
        let fact = hits.first().is_some_and(|h| f.about(&text(h)));
        let ok = fact && hits.first().is_some_and(|h| has_words(&text(h), &expected));
        if as_of.is_none() {
            r.current_asked += 1;
            r.current_at1 += f64::from(u8::from(ok));
            r.current_fact_at1 += f64::from(u8::from(fact));
            for h in &hits {
                let t = text(h);
                if f.about(&t)
                    && !has_words(&t, &expected)
                    && f.versions
                        .iter()
                        .any(|(_, v)| *v != expected && has_words(&t, v))
                {
                    // Flagged as maybe outdated is not shown as current.
                    if h.newer.is_some() {
                        r.stale_flagged += 1;
                    } else {
                        r.stale_current += 1;
                    }
                }
            }
        } else {
            r.as_of_asked += 1;
            r.as_of_at1 += f64::from(u8::from(ok));
            r.as_of_fact_at1 += f64::from(u8::from(fact));
        }
        if !ok {
            r.mistakes.push(Mistake {
                question: f.question.clone(),
                as_of: as_of.map(fmt_time),
                expected,
                got: hits.first().map(|h| h.title.clone()).unwrap_or_default(),
            });
        }
        Ok(())
    };
    for (i, f) in facts.iter().enumerate() {
        ask(f, None, &mut r)?;
        // A date inside each span the fact held; for an unchanged fact,
        // one date in a fifth of the cases.
        if f.versions.len() > 1 || rng.chance(0.2) {
            for (k, (start, _)) in f.versions.iter().enumerate() {
                let end = f.versions.get(k + 1).map_or(year_end, |(t, _)| *t);
                let t = start + (end - start) / 2;
                ask(f, Some(t), &mut r)?;
            }
        }
        if (i + 1) % 200 == 0 {
            progress(&format!("asked about {}/{} facts", i + 1, facts.len()));
        }
    }
    r.current_at1 /= r.current_asked.max(1) as f64;
    r.current_fact_at1 /= r.current_asked.max(1) as f64;
    r.as_of_at1 /= r.as_of_asked.max(1) as f64;
    r.as_of_fact_at1 /= r.as_of_asked.max(1) as f64;
    r.recall_ms_p50 = median(&mut recall_ms);
    drop(idx);
    if o.keep {
        eprintln!("kept the tree at {}", _dir.keep().join("tree").display());
    }
    Ok(r)
}

/// Topics per subject (mean), topic purity and the number of topics of
/// the entries written (see [`Report::topic_purity`]).
fn filing(written: &BTreeMap<String, usize>, facts: &[Fact]) -> (f64, f64, usize) {
    let topic = |path: &str| {
        path.rsplit_once('/')
            .map_or(String::new(), |(t, _)| t.to_string())
    };
    let mut by_subject: BTreeMap<&str, std::collections::BTreeSet<String>> = BTreeMap::new();
    let mut by_topic: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for (path, &f) in written {
        let subject = facts[f].subject.as_str();
        by_subject.entry(subject).or_default().insert(topic(path));
        *by_topic
            .entry(topic(path))
            .or_default()
            .entry(subject)
            .or_default() += 1;
    }
    let per_subject =
        by_subject.values().map(|t| t.len()).sum::<usize>() as f64 / by_subject.len().max(1) as f64;
    let majority: usize = by_topic
        .values()
        .map(|m| m.values().copied().max().unwrap_or(0))
        .sum();
    (
        per_subject,
        majority as f64 / written.len().max(1) as f64,
        by_topic.len(),
    )
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_shaped_as_asked() {
        let (f1, s1) = generate(3, 40, 0.3);
        let (f2, s2) = generate(3, 40, 0.3);
        assert_eq!(
            serde_json::to_string(&(&f1, &s1)).unwrap(),
            serde_json::to_string(&(&f2, &s2)).unwrap()
        );
        assert_eq!(f1.len(), 200);
        let changed = f1.iter().filter(|f| f.versions.len() > 1).count();
        assert!((30..=90).contains(&changed), "{changed}");
        assert!(f1.iter().all(|f| f.versions.len() <= 4));
        // Time order, first statements in January, values never repeat.
        assert!(s1.windows(2).all(|w| w[0].time <= w[1].time));
        for f in &f1 {
            assert!(f.versions[0].0 < YEAR_START + 31 * DAY);
            let mut vals: Vec<&String> = f.versions.iter().map(|(_, v)| v).collect();
            vals.dedup();
            assert_eq!(vals.len(), f.versions.len());
            assert!(f.versions.iter().all(|(_, v)| !v.is_empty()));
        }
        // Every statement names its subject and value.
        for s in &s1 {
            let f = &f1[s.fact];
            assert!(f.about(&s.text), "{}", s.text);
            assert!(has_words(&s.text, &f.versions[s.version].1), "{}", s.text);
        }
        assert_ne!(generate(4, 40, 0.3).1[0].text, s1[0].text);
    }

    #[test]
    fn values_match_as_whole_words_only() {
        assert!(has_words("Host atlas3 has 32 GB of RAM.", "32"));
        assert!(!has_words("Host atlas3 has 320 GB of RAM.", "32"));
        assert!(has_words("runs version 1.2.3 in production.", "1.2.3"));
        assert!(!has_words("runs version 1.2.30 in production.", "1.2.3"));
        assert!(!has_words("runs version 11.2.3", "1.2.3"));
        assert!(has_words("It uses VS Code as their editor", "vs code"));
        assert!(has_words("in room 312.", "312"));
    }
}
