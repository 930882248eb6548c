//! Integration tests: the `mem` binary in hermetic temp trees.

mod agents;
mod answers;
mod common;
mod concurrency;
mod core;
mod curate;
mod docs;
mod hostile;
mod index;
mod ingest;
mod learn;
mod place;
mod secrets;
mod sync;
mod time;
mod trees;
