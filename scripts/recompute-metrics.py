#!/usr/bin/env python3
"""Recompute mem eval's retrieval metrics from a --dump file (JSON Lines).

Independent of mem's code: standard library only. Definitions (LongMemEval's
src/retrieval/eval_utils.py, used for both benchmarks):

  recall_any@k  1 if any gold ref is among the first k ranked refs
  recall_all@k  1 if all gold refs are
  NDCG@k        binary relevance; DCG = rel[0] + sum_{i>=1} rel[i] / log2(i + 1)
                (0-based ranks), divided by the DCG of min(k, |gold|) hits

A ref counts once in a ranking, at its first place (a repeat is dropped before
the top k is taken), and once in the gold list, so no metric exceeds 1.

Turn level: `ranked` against `gold_turns` (lines with granularity "turn" and
non-empty gold_turns). Session level: the sessions of `ranked` in the order of
their best turn, each once (a turn ref's session is everything before its last
":"), against `gold_sessions`; with granularity "session" `ranked` already
lists sessions (each counted once). Means are rounded to 4 decimals, as mem reports them.

Usage: recompute-metrics.py DUMP [--json]
"""
import json
import math
import sys

KS = [1, 3, 5, 10]


def session_of(ref):
    return ref.rsplit(":", 1)[0] if ":" in ref else ref


def distinct(refs):
    out = []
    for r in refs:
        if r not in out:
            out.append(r)
    return out


def dcg(rels):
    return sum(r if i == 0 else r / math.log2(i + 1) for i, r in enumerate(rels))


def scores(ranked, gold):
    ranked, gold = distinct(ranked), distinct(gold)
    out = {}
    for k in KS:
        top = ranked[:k]
        out[("recall_any", k)] = float(any(g in top for g in gold))
        out[("recall_all", k)] = float(all(g in top for g in gold))
        ideal = dcg([1.0] * min(k, len(gold)))
        out[("ndcg", k)] = dcg([1.0 if r in gold else 0.0 for r in top]) / ideal if ideal else 0.0
    return out


def round4(x):
    # half away from zero, like Rust's f64::round
    return math.floor(x * 10000 + 0.5) / 10000


def summarise(rows):
    n = len(rows)
    res = {"n": n}
    for metric in ("recall_any", "recall_all", "ndcg"):
        res[metric] = {str(k): (round4(sum(r[(metric, k)] for r in rows) / n) if n else 0.0) for k in KS}
    return res


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    levels = {"turn": {}, "session": {}}
    with open(args[0], encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            q = json.loads(line)
            group = q["group"]
            if q["granularity"] == "turn":
                sessions = distinct(session_of(r) for r in q["ranked"])
                if q["gold_turns"]:
                    levels["turn"].setdefault(group, []).append(scores(q["ranked"], q["gold_turns"]))
            else:
                sessions = distinct(q["ranked"])
            if q["gold_sessions"]:
                levels["session"].setdefault(group, []).append(scores(sessions, q["gold_sessions"]))
    report = {}
    for level, groups in levels.items():
        if not groups:
            continue
        everything = [r for rows in groups.values() for r in rows]
        report[level] = {"overall": summarise(everything), "by_group": {g: summarise(rows) for g, rows in sorted(groups.items())}}
    if "--json" in sys.argv:
        print(json.dumps(report, sort_keys=True))
        return
    for level, rep in report.items():
        for group, m in [("all", rep["overall"])] + list(rep["by_group"].items()):
            cells = " ".join(f"{m[x][str(k)]:.3f}" for x in ("recall_any", "recall_all", "ndcg") for k in KS)
            print(f"{level:<8} {group:<28} {m['n']:>5} {cells}")
    print("columns: recall_any@1,3,5,10 recall_all@1,3,5,10 ndcg@1,3,5,10")


if __name__ == "__main__":
    main()
