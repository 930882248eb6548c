#!/usr/bin/env bash
# Wall time and CPU time (user+sys) of whole-process `mem recall --tier 1`
# and `rg -i -l`, interleaved, p50 over N runs per word. CPU time is what a
# command costs whatever else the machine is doing; wall time is what a user
# waits for on this machine at this load (printed with the load average).
#
#   bash benches/cpu.sh TREE [N]      # N runs per word (default 5)
set -euo pipefail
TREE=$1; N=${2:-5}
MEM=${MEM_BIN:-$(cd "$(dirname "$0")/.." && pwd)/target/release/mem}
WORDS="zanzibar deploy cache release pool_config.rs staging latency budget vendor retro"
cd "$TREE"
"$MEM" recall warmup --tier 1 --no-daemon >/dev/null 2>&1 || true
tm() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1; }
: > /tmp/cpu-mem.txt; : > /tmp/cpu-rg.txt
for _ in $(seq "$N"); do
  for w in $WORDS; do
    rm -f .mem/state/recall-cache.json
    tm "$MEM" recall "$w" --tier 1 --no-daemon >> /tmp/cpu-mem.txt || true
    tm rg -i -l "$w" >> /tmp/cpu-rg.txt || true
  done
done
p50() { sort -n | awk '{a[NR]=$1} END{printf "%.0f", a[int((NR+1)/2)]*1000}'; }
for f in mem rg; do
  wall=$(awk '{print $1}' /tmp/cpu-$f.txt | p50); cpu=$(awk '{print $2+$3}' /tmp/cpu-$f.txt | p50)
  echo "$f: wall p50 ${wall} ms, cpu (user+sys) p50 ${cpu} ms, n=$(wc -l < /tmp/cpu-$f.txt)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
