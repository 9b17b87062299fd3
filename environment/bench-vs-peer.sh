#!/usr/bin/env bash
# throughput-v1, this library against the PyTorch peer (shared/bench/midpg_ref.py), interleaved A B A B
# in one run so both see the same machine; prints every JSON line, then the median samples/s ratio per model.
# Usage: environment/bench-vs-peer.sh [models=dnn,dpg-r,midpg-r] [rounds=2] [threads=2] [rows=200000]
set -euo pipefail
models=${1:-dnn,dpg-r,midpg-r}; rounds=${2:-2}; threads=${3:-2}; rows=${4:-200000}
root=$(cd "$(dirname "$0")/.." && pwd)
peer=${PEER:-$root/../shared/bench/midpg_ref.py}
ours="$root/bin/Release/net10.0/MiDpg.Research"
[ -x "$ours" ] || (cd "$root" && dotnet build -c Release -v q >/dev/null)
out=$(mktemp)
for model in ${models//,/ }; do
  for ((r = 1; r <= rounds; r++)); do
    echo "ours $("$ours" bench --model "$model" --rows "$rows" --threads "$threads")" | tee -a "$out"
    echo "peer $(/usr/bin/python3 "$peer" --model "$model" --rows "$rows" --threads "$threads")" | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import json, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    who, js = line.split(' ', 1)
    d = json.loads(js)
    rows.setdefault(d['model'], {}).setdefault(who, []).append(d)
for model, r in rows.items():
    ratios = [o['samples_per_s'] / p['samples_per_s'] for o, p in zip(r['ours'], r['peer'])]
    print(f"{model}: ours/peer samples/s = {statistics.median(ratios):.2f}x (pairs: {', '.join(f'{x:.2f}' for x in ratios)}); "
          f"ours peak RSS {max(o['peak_rss_mb'] for o in r['ours']):.0f} MB; AUC ours {r['ours'][-1]['auc']} peer {r['peer'][-1]['auc']}")
PY
rm -f "$out"
