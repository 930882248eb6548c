//! Experiment knobs: the one place that reads them from the environment.
//! They exist to reproduce the ablation rows of docs/benchmarks.md; the
//! defaults (what users get) are the values in [`Tuning::default`] and
//! [`Shape::default`], which read nothing.
//!
//! - `MEM_RECALL_TUNE=k=v,…` (recall): `stop=0|1`, `nb=F`, `wlex=F`,
//!   `wsem=F`, `fuse=always|gate`, `prefetch=0|1`, `mix=rrf|convex`,
//!   `alpha=F`, `topic=F`, `topicn=N`, `time=F`, `tafter=N`, `user=F`,
//!   `floor=0|1`, `newer=F`, `access=F`, `recency=F`, `importance=F`,
//!   `rrn=N` and `rrw=F` (tier 4's candidates and the weight of tier 3's
//!   order) (with any of access, recency or importance, `mem eval` replays its questions as a
//!   stream: each question's top 5 count as accesses for the next).
//! - `MEM_RECALL_DEBUG=FILE`: tier 2's candidate lists appended to FILE.
//! - `MEM_RERANK_DUMP=FILE`: tier 4's candidates and margins appended to FILE.
//! - `MEM_INGEST_SHAPE=k=v,…` (ingest): `title=first|speaker|context`,
//!   `stmt=N`, `astmt=N`, `ctx=0|1`, `ctxn=N`, `next=N`.
//! - `MEM_PLACE_TUNE=k=v,…` (placement's score): `cos`, `lex`, `lexalone`,
//!   `name`, `hits`, `none`, `clear`, `margin`, `fits`, `centroid` (the
//!   share of the topic centroid's cosine), `reusemargin` (floats); read by
//!   `place` itself (this module depends on placement, not the reverse).

use crate::ingest::{Shape, TitleMode};
use crate::recall::{Query, Tuning};

/// `base` with the settings of a `MEM_RECALL_TUNE` spec applied.
pub fn parse_tuning(spec: &str, base: Tuning) -> Tuning {
    let mut t = base;
    for kv in spec.split(',') {
        let Some((k, v)) = kv.split_once('=') else {
            continue;
        };
        let f = v.trim().parse::<f32>().ok();
        match k.trim() {
            "stop" => t.stopwords = v.trim() != "0",
            "nb" => t.neighbours = f.unwrap_or(t.neighbours),
            "wlex" => t.w_lex = f.unwrap_or(t.w_lex),
            "wsem" => t.w_sem = f.unwrap_or(t.w_sem),
            "fuse" => t.always_fuse = v.trim() == "always",
            "prefetch" => t.prefetch = v.trim() != "0",
            "mix" => t.convex = v.trim() != "rrf",
            "alpha" => t.alpha = f.unwrap_or(t.alpha),
            "topic" => t.topic_boost = f.unwrap_or(t.topic_boost),
            "topicn" => t.topic_top = f.map_or(t.topic_top, |x| x as usize),
            "time" => t.time_boost = f.unwrap_or(t.time_boost),
            "tafter" => t.time_after = f.map_or(t.time_after, |x| x as i64),
            "user" => t.user_boost = f.unwrap_or(t.user_boost),
            "floor" => t.floor = v.trim() != "0",
            "newer" => t.newer = f.unwrap_or(t.newer),
            "access" => t.access = f.unwrap_or(t.access),
            "recency" => t.recency = f.unwrap_or(t.recency),
            "importance" => t.importance = f.unwrap_or(t.importance),
            "rrn" => t.rerank_n = f.map_or(t.rerank_n, |x| (x as usize).max(1)),
            "rrw" => t.rerank_w = f.unwrap_or(t.rerank_w),
            _ => {}
        }
    }
    t
}

/// The recall knobs of this process: the defaults, or `MEM_RECALL_TUNE`.
pub fn recall_tuning() -> Tuning {
    match std::env::var("MEM_RECALL_TUNE") {
        Ok(spec) => parse_tuning(&spec, Tuning::default()),
        Err(_) => Tuning::default(),
    }
}

/// `q` with this process's experiment knobs (`MEM_RECALL_TUNE`,
/// `MEM_RECALL_DEBUG`, `MEM_RERANK_DUMP`).
pub fn with_recall_knobs(mut q: Query) -> Query {
    q.tuning = recall_tuning();
    q.debug_dump = std::env::var_os("MEM_RECALL_DEBUG").map(Into::into);
    q.rerank_dump = std::env::var_os("MEM_RERANK_DUMP").map(Into::into);
    q
}

/// `base` with the settings of a `MEM_INGEST_SHAPE` spec applied.
pub fn parse_shape(spec: &str, base: Shape) -> Shape {
    let mut s = base;
    for kv in spec.split(',') {
        match kv.split_once('=') {
            Some(("title", "first")) => s.title = TitleMode::First,
            Some(("title", "speaker")) => s.title = TitleMode::Speaker,
            Some(("title", "context")) => s.title = TitleMode::Context,
            Some(("stmt", n)) => s.statement_chars = n.parse().unwrap_or(s.statement_chars).max(40),
            Some(("astmt", n)) => {
                s.assistant_chars = n.parse().unwrap_or(s.assistant_chars).max(40)
            }
            Some(("ctx", v)) => s.context = v != "0",
            Some(("ctxn", n)) => s.ctx_chars = n.parse().unwrap_or(200),
            Some(("next", n)) => s.next_chars = n.parse().unwrap_or(0),
            _ => {}
        }
    }
    s
}

/// The ingest shape of this process: the defaults, or `MEM_INGEST_SHAPE`.
pub fn ingest_shape() -> Shape {
    match std::env::var("MEM_INGEST_SHAPE") {
        Ok(spec) => parse_shape(&spec, Shape::default()),
        Err(_) => Shape::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_change_only_what_they_name() {
        let d = Tuning::default();
        let t = parse_tuning("alpha=0.7,mix=rrf,floor=0,bogus=1,noequals", d);
        assert_eq!(t.alpha, 0.7);
        assert!(!t.convex && !t.floor);
        assert_eq!(
            Tuning {
                alpha: d.alpha,
                convex: true,
                floor: true,
                ..t
            },
            d
        );
        let s = parse_shape("title=first,next=120,stmt=10", Shape::default());
        assert_eq!(s.title, TitleMode::First);
        assert_eq!(s.next_chars, 120);
        assert_eq!(s.statement_chars, 40, "clamped to the minimum");
        assert_eq!(s.ctx_chars, Shape::default().ctx_chars);
    }
}
