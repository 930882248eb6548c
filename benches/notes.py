#!/usr/bin/env python3
"""Plain notes, not ingested conversations: mem against a ranked grep.

Writes each LoCoMo dev conversation as a folder of plain markdown notes, one
chat turn per file, with the front matter another tool would write
(`id`, `speaker`, `date`), in a fresh tree per conversation (`mem init`,
`mem reindex`). Then asks every question with valid evidence (categories 1-4)
twice: `mem recall --json -k 10 --tier T QUESTION` and a grep ranking (files
ordered by how many distinct question words they contain, as whole words,
case-insensitive, front matter included; ties by path, as `rg -c` output
sorted would give). A question counts at k when one of its evidence turns is
among the first k files.

    MEM=target/release/mem python3 benches/notes.py [--tiers 1,2,3] [--limit N]

JSON on stdout (per tier: recall@1/5/10 and the grep ranking's on the same
questions), a table on stderr. Deterministic: same data, same numbers.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "bench", "data", "locomo-dev.json")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def parse_date(s):
    # "1:56 pm on 8 May, 2023"
    return datetime.strptime(s.strip(), "%I:%M %p on %d %B, %Y")


def words(text):
    return {w for w in WORD.findall(text.lower()) if len(w) > 1 or w.isdigit()}


def valid_evidence(ev):
    out = []
    for e in ev:
        for part in re.split(r"[;,\s]+", e):
            m = re.fullmatch(r"D(\d+):(\d+)", part.strip())
            if m:
                out.append(f"d{int(m.group(1))}-{int(m.group(2))}")
    return out


def write_tree(root, conv, mem, env):
    subprocess.run([mem, "init", root, "--yes", "--quiet"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    folder = os.path.join(root, "notes", "chat")
    os.makedirs(folder, exist_ok=True)
    c = conv["conversation"]
    files = {}
    n = 1
    while f"session_{n}" in c or f"session_{n}_date_time" in c:
        turns = c.get(f"session_{n}") or []
        when = c.get(f"session_{n}_date_time")
        for t in turns:
            m = re.fullmatch(r"D(\d+):(\d+)", t.get("dia_id", ""))
            if not m:
                continue
            name = f"d{int(m.group(1))}-{int(m.group(2))}"
            text = t.get("text", "")
            if t.get("blip_caption"):
                text += f" [shares a photo: {t['blip_caption']}]"
            date = parse_date(when).strftime("%Y-%m-%dT%H:%M:%S") if when else None
            body = "---\n"
            body += f"id: {conv['sample_id']}-{name}\n"
            body += f"speaker: {t.get('speaker', '')}\n"
            if date:
                body += f"date: {date}\n"
            body += "---\n" + text.strip() + "\n"
            path = os.path.join(folder, name + ".md")
            with open(path, "w", encoding="utf-8") as f:
                f.write(body)
            files[name] = body
        n += 1
    subprocess.run(["git", "-C", root, "add", "-A"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["git", "-C", root, "-c", "user.name=bench", "-c", "user.email=b@x",
                    "commit", "-qm", "notes"], check=True)
    subprocess.run([mem, "reindex", "--quiet"], check=True, env={**env, "MEM_ROOT": root},
                   stdout=subprocess.DEVNULL)
    return files


# The most common English words: a grep user leaves them out of a search.
STOP = set("""a an the and or but if of to in on at by for with from as is are was were be
been being do does did has have had what which who whom whose when where why how
this that these those it its he she they them his her their you your we our i me my
not no so than then there here about into over after before did can could would
should will shall may might must""".split())


def grep_rank(files, question, stop=False):
    q = words(question)
    if stop:
        q -= STOP
    scored = []
    for name in sorted(files):
        fw = words(files[name])
        scored.append((-len(q & fw), name))
    scored.sort()
    return [n for s, n in scored if s < 0]


def mem_rank(mem, env, root, question, tier):
    out = subprocess.run([mem, "recall", "--json", "-k", "10", "--tier", str(tier),
                          "--no-daemon", "--", question],
                         env={**env, "MEM_ROOT": root}, capture_output=True, text=True)
    names = []
    for line in out.stdout.splitlines():
        try:
            h = json.loads(line)
        except ValueError:
            continue
        p = h.get("path") or ""
        if p:
            names.append(os.path.splitext(os.path.basename(p))[0])
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiers", default="1,3")
    ap.add_argument("--limit", type=int, default=0, help="questions per conversation")
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--misses", help="write the questions the last tier missed at 10 (JSON lines)")
    a = ap.parse_args()
    mem = os.environ.get("MEM", "mem")
    tiers = [int(t) for t in a.tiers.split(",")]
    env = dict(os.environ)
    env.pop("MEM_ROOT", None)
    convs = json.load(open(a.data))
    ks = (1, 5, 10)
    hits = {t: {k: 0 for k in ks} for t in tiers}
    ghits = {k: 0 for k in ks}
    shits = {k: 0 for k in ks}
    asked = skipped = 0
    per_cat = {}
    misses = []
    secs = {t: 0.0 for t in tiers}
    with tempfile.TemporaryDirectory(prefix="mem-notes-") as tmp:
        for conv in convs:
            root = os.path.join(tmp, conv["sample_id"])
            files = write_tree(root, conv, mem, env)
            qs = [q for q in conv["qa"] if q.get("category") in (1, 2, 3, 4)]
            if a.limit:
                qs = qs[: a.limit]
            for q in qs:
                ev = [e for e in valid_evidence(q.get("evidence", [])) if e in files]
                if not ev:
                    skipped += 1
                    continue
                asked += 1
                cat = per_cat.setdefault(q["category"], {"asked": 0, "grep": 0, **{t: 0 for t in tiers}})
                cat["asked"] += 1
                g = grep_rank(files, q["question"])
                for k in ks:
                    ghits[k] += any(e in g[:k] for e in ev)
                cat["grep"] += any(e in g[:10] for e in ev)
                g = grep_rank(files, q["question"], stop=True)
                for k in ks:
                    shits[k] += any(e in g[:k] for e in ev)
                for t in tiers:
                    t0 = time.time()
                    r = mem_rank(mem, env, root, q["question"], t)
                    secs[t] += time.time() - t0
                    for k in ks:
                        hits[t][k] += any(e in r[:k] for e in ev)
                    cat[t] += any(e in r[:10] for e in ev)
                    if a.misses and t == tiers[-1] and not any(e in r[:10] for e in ev):
                        misses.append({"q": q["question"], "cat": q["category"],
                                       "evidence": [files[e].split("---\n")[-1].strip() for e in ev],
                                       "got": [files[x].split("---\n")[-1].strip()[:150] for x in r[:3] if x in files],
                                       "grep_rank": next((i + 1 for i, x in enumerate(g) if x in ev), None)})
            print(f"{conv['sample_id']}: {asked} asked", file=sys.stderr)
    n = max(asked, 1)
    report = {
        "questions": asked,
        "skipped_no_evidence": skipped,
        "grep": {f"recall@{k}": round(ghits[k] / n, 3) for k in ks},
        "grep_without_stop_words": {f"recall@{k}": round(shits[k] / n, 3) for k in ks},
        "mem": {f"tier{t}": {**{f"recall@{k}": round(hits[t][k] / n, 3) for k in ks},
                             "seconds_per_query": round(secs[t] / n, 3)} for t in tiers},
        "recall@10_by_category": {str(c): {kk: (round(v / p["asked"], 3) if kk != "asked" else v)
                                           for kk, v in p.items()} for c, p in sorted(per_cat.items())},
    }
    print(json.dumps(report))
    if a.misses:
        with open(a.misses, "w") as f:
            for m in misses:
                f.write(json.dumps(m) + "\n")
    print(f"{asked} questions ({skipped} without valid evidence)", file=sys.stderr)
    print("ranking        r@1    r@5    r@10", file=sys.stderr)
    print(f"grep          {report['grep']['recall@1']:.3f}  {report['grep']['recall@5']:.3f}  {report['grep']['recall@10']:.3f}", file=sys.stderr)
    g = report["grep_without_stop_words"]
    print(f"grep -stop    {g['recall@1']:.3f}  {g['recall@5']:.3f}  {g['recall@10']:.3f}", file=sys.stderr)
    for t in tiers:
        m = report["mem"][f"tier{t}"]
        print(f"mem tier {t}    {m['recall@1']:.3f}  {m['recall@5']:.3f}  {m['recall@10']:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
