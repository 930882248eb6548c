//! Synthetic trees for measurement (`mem eval synth`): N entries of
//! realistic sizes and vocabulary, deterministic by seed.
//!
//! - 5-20 domains × 5-30 topics, entries spread over topics Zipf-like (a
//!   few big topics, many small ones).
//! - A vocabulary of a few hundred developer/team words drawn with Zipf-ish
//!   frequencies, each topic favouring its own dozen words (so BM25 sees
//!   realistic clustering), function words in between, now and then a
//!   code-ish token (`snake_case`, `CamelCase`, `file.rs`, `v1.2.3`).
//! - Titles of 4-10 words, bodies of 20-120 words in sentences, 0-4 tags,
//!   a kind, and for half the entries an `observed` date in 2023-2025.
//! - Content is a function of (N, seed) only; ids and `created` come from
//!   the clock (`MEM_NOW` fixes the latter).
//!
//! Needles (planted at fixed positions, none of their words is in the
//! vocabulary) so benchmarks can query something that exists:
//!
//! | query                      | finds                                      | how            |
//! |----------------------------|--------------------------------------------|----------------|
//! | `zanzibar`                 | "Staging cluster is nicknamed zanzibar"     | lexical, 1 hit |
//! | `pool_config.rs`           | "Quokka release needs a bigger pool"        | code token     |
//! | `automobile upkeep`        | "Car maintenance schedule for the van"      | semantic only  |
//! | `notebook power drain`     | "Laptop battery empties fast with Docker"   | semantic only  |
//!
//! Everything goes through `ops::add_batch` (guard, duplicate check, atomic
//! writes), one commit per batch.

use crate::ops::AddRequest;
use crate::paths::TopicPath;
pub use crate::rng::Rng;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::path::Path;

/// Samples ranks 0..n with P(r) ∝ 1 / (r + 1)^s.
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 0..n {
            acc += 1.0 / ((r + 1) as f64).powf(s);
            cdf.push(acc);
        }
        for c in cdf.iter_mut() {
            *c /= acc;
        }
        Self { cdf }
    }
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.f64();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

/// Developer / team vocabulary, roughly from common to rare (the order is
/// the Zipf rank).
const VOCAB: &str = "build test deploy release service team issue change code user data error config server \
client update fix review branch merge commit request response api database query cache index log metric \
alert incident customer feature bug version module package dependency library function method class type \
value field table schema migration script pipeline job runner worker queue message event stream topic \
cluster node container image registry network port host domain certificate token session account role \
permission policy secret key storage bucket file folder path backup restore snapshot volume disk memory cpu \
thread process latency throughput timeout retry limit quota budget cost invoice plan roadmap milestone \
sprint estimate priority owner stakeholder meeting decision proposal design document spec draft template \
checklist runbook playbook oncall rotation escalation postmortem outage downtime rollback hotfix patch \
upgrade downgrade compatibility regression benchmark profile flame trace span sample histogram dashboard \
panel threshold baseline target goal objective result outcome metricset experiment flag rollout canary \
staging production sandbox preview environment variable default override setting option parameter argument \
flagset command terminal shell editor plugin extension hook trigger webhook callback handler middleware \
router endpoint gateway proxy balancer firewall vpn dns tls ssh cron scheduler batch backfill export import \
parser lexer compiler linker toolchain sdk cli gui widget layout theme font icon asset bundle chunk \
minifier transpiler linter formatter analyzer coverage fixture mock stub assertion suite flaky lint audit \
vulnerability advisory exploit sanitizer fuzzer crash panic deadlock race mutex lock semaphore channel \
buffer pool allocator leak garbage heap stack pointer reference lifetime borrow trait generic macro enum \
struct interface protocol contract handshake payload header cookie cors csrf oauth sso saml ldap audit \
compliance gdpr retention archive purge quarantine ticket backlog triage label assignee reviewer approver \
mentor onboarding offboarding interview candidate hiring headcount offsite retro standup demo handover \
vendor license contractor procurement renewal forecast revenue churn signup funnel cohort segment persona \
survey feedback nps support helpdesk macro refund chargeback subscription tier discount coupon pricing \
localization translation accessibility contrast keyboard screenreader responsive mobile tablet desktop \
android ios swift kotlin rust python golang typescript javascript java ruby elixir postgres mysql sqlite \
redis kafka rabbitmq elasticsearch clickhouse snowflake bigquery terraform ansible helm kubernetes docker \
nginx envoy grafana prometheus sentry datadog pagerduty jenkins github gitlab bazel cargo npm yarn pnpm \
webpack vite gradle maven";

/// Glue words between content words (not in the Zipf vocabulary).
const FUNCTION: &[&str] = &[
    "the", "the", "the", "a", "a", "to", "to", "of", "of", "in", "and", "and", "is", "for", "on",
    "with", "we", "it", "that", "this", "be", "when", "after", "before", "should", "must", "can",
    "was", "are", "our", "by", "from", "so", "not", "only", "every", "each", "until", "because",
    "if",
];

const DOMAINS: &[&str] = &[
    "engineering",
    "infrastructure",
    "product",
    "design",
    "security",
    "data",
    "operations",
    "support",
    "research",
    "mobile",
    "frontend",
    "backend",
    "platform",
    "quality",
    "releases",
    "people",
    "finance",
    "legal",
    "marketing",
    "analytics",
];

const TOPICS: &[&str] = &[
    "build",
    "ci",
    "deploy",
    "testing",
    "monitoring",
    "alerts",
    "database",
    "caching",
    "auth",
    "api",
    "onboarding",
    "hiring",
    "roadmap",
    "planning",
    "incidents",
    "postmortems",
    "performance",
    "logging",
    "networking",
    "storage",
    "billing",
    "docs",
    "code-review",
    "dependencies",
    "migrations",
    "search",
    "queues",
    "containers",
    "kubernetes",
    "terraform",
    "secrets",
    "metrics",
    "dashboards",
    "experiments",
    "pricing",
    "accessibility",
    "localization",
    "tooling",
    "retros",
    "vendors",
];

const TAGS: &[&str] = &[
    "rust",
    "python",
    "go",
    "typescript",
    "postgres",
    "redis",
    "kafka",
    "k8s",
    "aws",
    "gcp",
    "ci",
    "urgent",
    "flaky",
    "perf",
    "security",
    "docs",
    "oncall",
    "customer",
    "migration",
    "infra",
    "frontend",
    "backend",
    "mobile",
    "billing",
    "hiring",
    "process",
    "tooling",
    "observability",
    "data",
    "release",
    "api",
    "ux",
    "compliance",
    "cost",
    "testing",
    "debt",
    "incident",
    "decision",
    "howto",
    "gotcha",
];

/// (kind, weight in percent).
const KINDS: &[(&str, u32)] = &[
    ("fact", 40),
    ("decision", 15),
    ("procedure", 15),
    ("event", 15),
    ("lesson", 10),
    ("preference", 5),
];

/// An entry planted at a known position, for benchmarks and tests.
#[derive(Debug, Clone, Serialize)]
pub struct Needle {
    pub query: &'static str,
    pub title: &'static str,
    /// `lexical` (shares words with the query) or `semantic` (shares none).
    pub kind: &'static str,
    /// Where it was written (filled in after the add).
    pub path: String,
}

const NEEDLES: &[(&str, &str, &str, &str)] = &[
    (
        "zanzibar",
        "Staging cluster is nicknamed zanzibar",
        "lexical",
        "Everyone calls the second staging cluster zanzibar; its dashboards and alerts use that name too.",
    ),
    (
        "pool_config.rs",
        "Quokka release needs a bigger pool",
        "lexical",
        "Before the quokka release set MAX_POOL_SIZE to 48 in pool_config.rs, otherwise the nightly import starves.",
    ),
    (
        "automobile upkeep",
        "Car maintenance schedule for the van",
        "semantic",
        "Change the engine oil of the delivery van every 8000 km and rotate the tyres at each service; the garage next to the office does both.",
    ),
    (
        "notebook power drain",
        "Laptop battery empties fast with Docker",
        "semantic",
        "On the new laptops the battery runs flat in two hours while Docker Desktop is open; quit it when working unplugged.",
    ),
];

struct Topic {
    path: TopicPath,
    /// Ranks (into the vocabulary) this topic favours.
    words: Vec<usize>,
}

/// The generator: the same (seed, n) always yields the same requests.
pub struct Synth {
    rng: Rng,
    vocab: Vec<&'static str>,
    zipf: Zipf,
    topics: Vec<Topic>,
    topic_zipf: Zipf,
    topic_order: Vec<usize>,
}

impl Synth {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed ^ 0x6D65_6D5F_7379_6E74);
        let vocab: Vec<&'static str> = VOCAB.split_whitespace().collect();
        let zipf = Zipf::new(vocab.len(), 1.0);
        let n_domains = rng.range(5, 20);
        let mut domains: Vec<&str> = DOMAINS.to_vec();
        shuffle(&mut rng, &mut domains);
        let mut topics = Vec::new();
        for d in &domains[..n_domains] {
            let n_topics = rng.range(5, 30);
            let mut names: Vec<&str> = TOPICS.to_vec();
            shuffle(&mut rng, &mut names);
            for t in &names[..n_topics] {
                let words = (0..rng.range(8, 15))
                    .map(|_| rng.range(20, vocab.len() - 1))
                    .collect();
                topics.push(Topic {
                    path: TopicPath::from_segments(vec![d.to_string(), t.to_string()]),
                    words,
                });
            }
        }
        let topic_zipf = Zipf::new(topics.len(), 0.8);
        // Which topic gets which Zipf rank: shuffled, so the big topics are
        // spread over domains.
        let mut topic_order: Vec<usize> = (0..topics.len()).collect();
        shuffle(&mut rng, &mut topic_order);
        Self {
            rng,
            vocab,
            zipf,
            topics,
            topic_zipf,
            topic_order,
        }
    }

    fn word(&mut self, topic: usize) -> String {
        let r = if self.rng.chance(0.3) {
            let t = &self.topics[topic];
            t.words[self.rng.below(t.words.len())]
        } else {
            self.zipf.sample(&mut self.rng)
        };
        let w = self.vocab[r];
        if self.rng.chance(0.02) {
            return self.codeish(w);
        }
        w.to_string()
    }

    fn codeish(&mut self, w: &str) -> String {
        let other = self.vocab[self.zipf.sample(&mut self.rng)];
        match self.rng.below(4) {
            0 => format!("{w}_{other}"),
            1 => format!("{}{}", capitalize(w), capitalize(other)),
            2 => format!(
                "{w}.{}",
                self.rng.pick(&["rs", "py", "ts", "go", "toml", "yaml"])
            ),
            _ => format!(
                "v{}.{}.{}",
                self.rng.below(5),
                self.rng.below(20),
                self.rng.below(10)
            ),
        }
    }

    fn title(&mut self, topic: usize) -> String {
        let n = self.rng.range(4, 10);
        let mut words = Vec::with_capacity(n);
        for i in 0..n {
            if i > 0 && i < n - 1 && self.rng.chance(0.25) {
                words.push(self.rng.pick(FUNCTION).to_string());
            } else {
                words.push(self.word(topic));
            }
        }
        capitalize(&words.join(" "))
    }

    fn body(&mut self, topic: usize) -> String {
        let target = self.rng.range(20, 120);
        let mut out = String::with_capacity(target * 8);
        let mut written = 0;
        while written < target {
            let len = self.rng.range(6, 16).min(target - written).max(1);
            let mut sentence = Vec::with_capacity(len);
            for _ in 0..len {
                if self.rng.chance(0.35) {
                    sentence.push(self.rng.pick(FUNCTION).to_string());
                } else {
                    sentence.push(self.word(topic));
                }
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&capitalize(&sentence.join(" ")));
            out.push('.');
            written += len;
        }
        out
    }

    /// The next synthetic entry.
    pub fn entry(&mut self) -> AddRequest {
        let topic = self.topic_order[self.topic_zipf.sample(&mut self.rng)];
        let title = self.title(topic);
        let body = self.body(topic);
        let mut tags: Vec<String> = (0..self.rng.range(0, 4))
            .map(|_| self.rng.pick(TAGS).to_string())
            .collect();
        tags.sort();
        tags.dedup();
        let roll = self.rng.below(100) as u32;
        let mut acc = 0;
        let kind = KINDS.iter().find(|(_, w)| {
            acc += w;
            roll < acc
        });
        let observed = if self.rng.chance(0.5) {
            // 2023-01-01T00:00:00Z plus up to three years.
            let t = 1_672_531_200 + self.rng.below(3 * 365 * 86_400) as i64;
            jiff::Timestamp::from_second(t)
                .ok()
                .map(crate::time::format)
        } else {
            None
        };
        AddRequest {
            text: body,
            at: Some(self.topics[topic].path.clone()),
            title: Some(title),
            tags,
            kind: kind.map(|(k, _)| k.to_string()),
            source: crate::entry::Source {
                via: Some("import".into()),
                reference: None,
                ..Default::default()
            },
            observed,
            importance: Some(self.rng.range(20, 80) as u8),
        }
    }

    /// A needle as a request, in a topic chosen by the generator.
    fn needle(&mut self, i: usize) -> AddRequest {
        let (_, title, _, body) = NEEDLES[i];
        let topic = self.rng.below(self.topics.len());
        AddRequest {
            text: body.to_string(),
            at: Some(self.topics[topic].path.clone()),
            title: Some(title.to_string()),
            tags: vec![],
            kind: Some("fact".into()),
            source: crate::entry::Source {
                via: Some("import".into()),
                ..Default::default()
            },
            observed: None,
            importance: Some(50),
        }
    }

    /// Queries for benchmarks: words at several frequency ranks, one to
    /// three words, plus the needles' queries. Deterministic by seed.
    pub fn queries(&mut self, n: usize) -> Vec<String> {
        let mut out: Vec<String> = NEEDLES.iter().map(|n| n.0.to_string()).collect();
        let mut seen: std::collections::HashSet<String> = out.iter().cloned().collect();
        while out.len() < n {
            let words = self.rng.range(1, 3);
            let q: Vec<&str> = (0..words)
                .map(|_| self.vocab[self.rng.below(self.vocab.len())])
                .collect();
            let q = q.join(" ");
            if seen.insert(q.clone()) {
                out.push(q);
            }
        }
        out.truncate(n.max(NEEDLES.len()));
        out
    }
}

fn shuffle<T>(rng: &mut Rng, v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Where the needles go among `n` entries: evenly spread.
fn needle_slots(n: usize) -> Vec<usize> {
    let k = NEEDLES.len();
    (0..k).map(|i| (i * 2 + 1) * n / (2 * k)).collect()
}

/// The first `n` requests of the synthetic stream for `seed`, with the
/// needles in place (when n ≥ the number of needles). Same input, same output.
pub fn requests(n: usize, seed: u64) -> (Vec<AddRequest>, Vec<Option<usize>>) {
    let mut s = Synth::new(seed);
    let slots = if n >= NEEDLES.len() {
        needle_slots(n)
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(n);
    let mut which = Vec::with_capacity(n);
    for i in 0..n {
        match slots.iter().position(|&p| p == i) {
            Some(k) => {
                out.push(s.needle(k));
                which.push(Some(k));
            }
            None => {
                out.push(s.entry());
                which.push(None);
            }
        }
    }
    (out, which)
}

/// Options of `mem eval synth`.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub entries: usize,
    pub seed: u64,
    /// Entries per `add_batch` call (one commit each).
    pub batch: usize,
    /// Number of benchmark queries to list in the report.
    pub queries: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SynthReport {
    pub op: &'static str,
    pub root: String,
    pub seed: u64,
    pub entries: usize,
    pub added: usize,
    pub duplicates: usize,
    pub domains: usize,
    pub topics: usize,
    pub commits: usize,
    /// Generating the requests, in seconds (not part of the ingest rate).
    pub generate_seconds: f64,
    /// `add_batch` calls (guard, write, commit), in seconds.
    pub ingest_seconds: f64,
    pub entries_per_s: f64,
    pub needles: Vec<Needle>,
    pub queries: Vec<String>,
}

/// Creates a tree in `dir` (which must not exist or be empty) and fills it
/// with `opts.entries` synthetic entries through `ops::add_batch`.
pub fn synthesize(dir: &Path, opts: &SynthOptions) -> Result<SynthReport> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("{} exists and is not a folder", dir.display());
        }
        if std::fs::read_dir(dir)?.next().is_some() {
            bail!(
                "{} is not empty; give a new folder for the synthetic tree",
                dir.display()
            );
        }
    }
    let tree = crate::tree::init_tree(dir, "synthetic")?;
    let t0 = std::time::Instant::now();
    let (reqs, which) = requests(opts.entries, opts.seed);
    let mut probe = Synth::new(opts.seed);
    let topics: std::collections::HashSet<&TopicPath> =
        reqs.iter().filter_map(|r| r.at.as_ref()).collect();
    let domains: std::collections::HashSet<&str> = topics.iter().map(|t| t.domain()).collect();
    let (n_topics, n_domains) = (topics.len(), domains.len());
    let generate_seconds = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    let mut added = 0;
    let mut duplicates = 0;
    let mut commits = 0;
    let mut needles: Vec<Needle> = NEEDLES
        .iter()
        .map(|(q, t, k, _)| Needle {
            query: q,
            title: t,
            kind: k,
            path: String::new(),
        })
        .collect();
    let batch = opts.batch.max(1);
    let mut offset = 0;
    let mut reqs = reqs.into_iter();
    while offset < opts.entries {
        let chunk: Vec<AddRequest> = reqs.by_ref().take(batch).collect();
        let len = chunk.len();
        let msg = format!(
            "mem: synthesize {len} entries (seed {}, via import)",
            opts.seed
        );
        let outcomes = crate::ops::add_batch(&tree, chunk, Some(&msg))
            .with_context(|| format!("adding entries {}-{}", offset + 1, offset + len))?;
        for (i, o) in outcomes.iter().enumerate() {
            if o.op == "added" {
                added += 1;
            } else {
                duplicates += 1;
            }
            if let Some(k) = which[offset + i] {
                needles[k].path = o.path.clone();
            }
        }
        if outcomes.iter().any(|o| o.commit.is_some()) {
            commits += 1;
        }
        offset += len;
    }
    let ingest_seconds = t1.elapsed().as_secs_f64();
    Ok(SynthReport {
        op: "synthesized",
        root: tree.root.display().to_string(),
        seed: opts.seed,
        entries: opts.entries,
        added,
        duplicates,
        domains: n_domains,
        topics: n_topics,
        commits,
        generate_seconds,
        ingest_seconds,
        entries_per_s: if ingest_seconds > 0.0 {
            added as f64 / ingest_seconds
        } else {
            0.0
        },
        needles: if opts.entries >= NEEDLES.len() {
            needles
        } else {
            Vec::new()
        },
        queries: probe.queries(opts.queries),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_entries_other_seed_other_entries() {
        let (a, _) = requests(200, 7);
        let (b, _) = requests(200, 7);
        let (c, _) = requests(200, 8);
        let key = |v: &[AddRequest]| {
            v.iter()
                .map(|r| format!("{:?}{}{:?}", r.at, r.text, r.title))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&a), key(&b));
        assert_ne!(key(&a), key(&c));
    }

    #[test]
    fn sizes_and_shape_are_realistic() {
        let (reqs, which) = requests(2000, 1);
        assert_eq!(which.iter().filter(|w| w.is_some()).count(), NEEDLES.len());
        let mut topics = std::collections::HashSet::new();
        let mut domains = std::collections::HashSet::new();
        for (r, w) in reqs.iter().zip(&which) {
            let t = r.at.as_ref().unwrap();
            topics.insert(t.to_string());
            domains.insert(t.domain().to_string());
            if w.is_some() {
                continue;
            }
            let title_words = r.title.as_ref().unwrap().split_whitespace().count();
            assert!((4..=10).contains(&title_words), "{:?}", r.title);
            let body_words = r.text.split_whitespace().count();
            assert!((20..=120).contains(&body_words), "{body_words}: {}", r.text);
            assert!(r.tags.len() <= 4);
        }
        assert!((5..=20).contains(&domains.len()), "{}", domains.len());
        assert!(topics.len() >= 10, "{}", topics.len());
        // Zipf: the most common vocabulary word is far more frequent than a rare one.
        let all: String = reqs
            .iter()
            .map(|r| r.text.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let count = |w: &str| {
            all.split(|c: char| !c.is_alphanumeric())
                .filter(|x| *x == w)
                .count()
        };
        assert!(
            count("build") > 10 * count("pnpm").max(1),
            "{} vs {}",
            count("build"),
            count("pnpm")
        );
    }

    #[test]
    fn needle_words_are_not_in_the_vocabulary() {
        let vocab: std::collections::HashSet<&str> = VOCAB.split_whitespace().collect();
        for w in [
            "zanzibar",
            "quokka",
            "automobile",
            "upkeep",
            "car",
            "van",
            "notebook",
            "laptop",
            "battery",
        ] {
            assert!(!vocab.contains(w), "{w}");
        }
    }

    #[test]
    fn zipf_is_skewed_and_in_range() {
        let z = Zipf::new(100, 1.0);
        let mut rng = Rng::new(3);
        let mut hist = [0usize; 100];
        for _ in 0..20_000 {
            hist[z.sample(&mut rng)] += 1;
        }
        assert!(hist[0] > 5 * hist[50]);
        assert!(hist.iter().all(|&h| h < 20_000));
    }
}
