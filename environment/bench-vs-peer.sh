#!/usr/bin/env bash
# throughput-v1, this library against the PyTorch peer (shared/bench/midpg_ref.py), interleaved in one run so all see
# the same machine. Each round runs, per model: ours with its default optimiser (lazy Adam on the embeddings), ours like
# for like (--embedding-update dense, the peer's algorithm), and the peer at each of its thread counts. The peer is
# compared at its best setting: the fastest of its runs in that round. Prints every JSON line, then per model the median
# over rounds of two ratios: default / best peer and like-for-like / best peer.
# Usage: environment/bench-vs-peer.sh [models=dnn,dpg-r,midpg-r] [rounds=3] [threads=2] [rows=200000] [peer-threads=1,2]
set -euo pipefail
models=${1:-dnn,dpg-r,midpg-r}; rounds=${2:-3}; threads=${3:-2}; rows=${4:-200000}; peer_threads=${5:-1,2}
root=$(cd "$(dirname "$0")/.." && pwd)
peer=${PEER:-$root/../shared/bench/midpg_ref.py}
ours="$root/bin/Release/net10.0/MiDpg.Research"
[ -x "$ours" ] || (cd "$root" && dotnet build -c Release -v q >/dev/null)
out=$(mktemp)
for ((r = 1; r <= rounds; r++)); do
  for model in ${models//,/ }; do
    echo "$r ours-default $("$ours" bench --model "$model" --rows "$rows" --threads "$threads")" | tee -a "$out"
    echo "$r ours-dense $("$ours" bench --model "$model" --rows "$rows" --threads "$threads" --embedding-update dense)" | tee -a "$out"
    for t in ${peer_threads//,/ }; do
      echo "$r peer-$t $(/usr/bin/python3 "$peer" --model "$model" --rows "$rows" --threads "$t")" | tee -a "$out"
    done
  done
done
python3 - "$out" <<'PY'
import json, sys, statistics
runs = {}   # model -> round -> who -> result
for line in open(sys.argv[1]):
    rnd, who, js = line.split(' ', 2)
    d = json.loads(js)
    runs.setdefault(d['model'], {}).setdefault(int(rnd), {})[who] = d
for model, rounds in runs.items():
    default, dense, best = [], [], []
    for rnd, r in sorted(rounds.items()):
        peers = {w: d['samples_per_s'] for w, d in r.items() if w.startswith('peer-')}
        who = max(peers, key=peers.get)
        best.append(f"{who} {peers[who]:.0f}")
        default.append(r['ours-default']['samples_per_s'] / peers[who])
        dense.append(r['ours-dense']['samples_per_s'] / peers[who])
    rss = max(d['peak_rss_mb'] for r in rounds.values() for w, d in r.items() if w.startswith('ours'))
    print(f"{model}: against the peer's best setting in each round ({', '.join(best)} samples/s): "
          f"default {statistics.median(default):.2f}x (rounds: {', '.join(f'{x:.2f}' for x in default)}), "
          f"like for like {statistics.median(dense):.2f}x (rounds: {', '.join(f'{x:.2f}' for x in dense)}); ours peak RSS {rss:.0f} MB")
PY
rm -f "$out"
