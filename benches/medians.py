"""Median and all times per kind, from lines `KIND MICROSECONDS` (benches/*.sh)."""
import statistics
import sys

d = {}
for line in open(sys.argv[1]):
    k, us = line.split()
    d.setdefault(k, []).append(int(us) / 1000)
for k, v in d.items():
    print(f"{k:6} median {statistics.median(v):6.1f} ms  {sorted(round(x) for x in v)}")
