//! mem: a local-first memory for developers and LLM agents.
//!
//! The files are the truth: entries are markdown with YAML front matter in
//! a Domain/Topic/Entry tree inside a git repository. Everything else (the
//! index, caches) is derived and rebuilt from them.

pub mod answer;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod context;
pub mod curate;
pub mod dream;
pub mod entry;
pub mod error;
pub mod eval;
pub mod fsutil;
pub mod fuzz;
pub mod git;
pub mod guard;
pub mod index;
pub mod ingest;
pub mod interrupt;
pub mod learn;
pub mod lifecycle;
pub mod lock;
pub mod merge;
pub mod model;
pub mod ops;
pub mod output;
pub mod overview;
pub mod paths;
pub mod place;
pub mod quarantine;
pub mod recall;
pub mod rerank;
pub mod rng;
pub mod signals;
pub mod sync;
pub mod text;
pub mod time;
pub mod trace;
pub mod tree;
pub mod watch;
pub mod when;
pub mod wordnet;
pub mod write;
