#!/usr/bin/env python3
"""Replays tier 4's fusion offline (docs/retrieval.md, "Tier 4").

    rerank-replay.py split LOCOMO.json OUT.json [N]
        writes the first N (default 12) questions of every conversation
        but the first: the validation sample (the first conversation's
        questions are the tuning sample).
    rerank-replay.py RERANK_DUMP EVAL_DUMP [CANDIDATES]
        RERANK_DUMP from MEM_RERANK_DUMP, EVAL_DUMP from `mem eval --dump`
        of the same run: turn recall_any@1/5/10 and session recall_any@5
        (and session recall_all@5) of tier 3's order and of the fused order
        for a range of weights,
        and the AUC of the model's margins (gold turns against the rest
        among the candidates read).
"""
import json
import sys


def split(src, dst, n):
    data = json.load(open(src))
    out = []
    for s in data[1:]:
        s = dict(s)
        s["qa"] = s["qa"][:n]
        out.append(s)
    json.dump(out, open(dst, "w"))
    print(f"{sum(len(s['qa']) for s in out)} questions in {dst}")


def replay(rr_path, ev_path, n_read):
    rr = [json.loads(l) for l in open(rr_path)]
    gold = {}
    for l in open(ev_path):
        e = json.loads(l)
        gold.setdefault(e["question"], []).append(e)
    runs = []
    for r in rr:
        g = gold[r["query"]].pop(0)
        refs = [s.get("ref") for s in r["sources"]]
        runs.append((refs, r["margins"], g))

    def fused(refs, m, w):
        n = min(n_read, len(m))
        prior = lambda i: 1.0 if n <= 1 else 1 - i / (n - 1)
        head = sorted(range(n), key=lambda i: (-(m[i] + w * prior(i)), i))
        return [refs[i] for i in head] + refs[n:]

    def metrics(order):
        t1 = t5 = t10 = s5 = sa5 = 0
        for refs, m, g in runs:
            o = order(refs, m)
            gt, gs = set(g["gold_turns"]), set(g["gold_sessions"])
            t1 += any(x in gt for x in o[:1])
            t5 += any(x in gt for x in o[:5])
            t10 += any(x in gt for x in o[:10])
            top = {x.rsplit(":", 1)[0] for x in o[:5]}
            s5 += bool(top & gs)
            sa5 += gs <= top
        n = len(runs)
        return f"turn@1 {t1/n:.3f}  turn@5 {t5/n:.3f}  turn@10 {t10/n:.3f}  session@5 {s5/n:.3f}  session all@5 {sa5/n:.3f}  (n={n})"

    print(f"{'tier 3':>10}  {metrics(lambda r, m: r)}")
    for w in [0, 0.5, 1, 1.5, 2, 3, 5]:
        print(f"{'w=' + str(w):>10}  {metrics(lambda r, m, w=w: fused(r, m, w))}")
    pos, neg = [], []
    for refs, m, g in runs:
        gt = set(g["gold_turns"])
        for i in range(min(n_read, len(m))):
            (pos if refs[i] in gt else neg).append(m[i])
    pairs = sum(1 if p > q else 0.5 if p == q else 0 for p in pos for q in neg)
    print(f"AUC of the margins among the first {n_read}: {pairs / max(1, len(pos) * len(neg)):.3f} "
          f"({len(pos)} gold, {len(neg)} other)")


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "split":
        split(a[1], a[2], int(a[3]) if len(a) > 3 else 12)
    elif len(a) >= 2:
        replay(a[0], a[1], int(a[2]) if len(a) > 2 else 10)
    else:
        sys.exit(__doc__)
