#!/usr/bin/env bash
# The night's scale curve (issue 13): `hearth bench sync` on the default county (300 villages,
# 30,000 households) at 1x, 2x and 4x its households, and the exponent of the sync's time
# (push + pull) against its ops: 1 is linear. Usage:
#   scripts/bench-sync-curve.sh [path/to/hearth] [factors...]   (defaults: .build/release/hearth 1 2 4)
set -euo pipefail
hearth=${1:-.build/release/hearth}
shift || true
factors=("$@")
[ ${#factors[@]} -gt 0 ] || factors=(1 2 4)
results=()
for factor in "${factors[@]}"; do
    households=$((30000 * factor))
    echo "bench sync: ${factor}x, $households households" >&2
    results+=("$factor $("$hearth" bench sync --households "$households" --json)")
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, math, sys
rows = []
for line in sys.stdin:
    factor, document = line.split(" ", 1)
    d = json.loads(document)
    seconds = (d["push_ms"] + d["pull_ms"]) / 1000
    rows.append((int(factor), d["ops"], seconds, d))
print("factor  ops       push+pull s  ops/s   push B/op  pull B/op  hub peak MiB")
for factor, ops, seconds, d in rows:
    push, pull, peak = d["push_bytes_per_op"], d["pull_bytes_per_op"], d["hub_peak_kib"] // 1024
    print(f"{factor:<7} {ops:<9} {seconds:<12.1f} {ops / seconds:<7.0f} {push:<10} {pull:<10} {peak}")
first, last = rows[0], rows[-1]
if last[1] > first[1]:
    exponent = math.log(last[2] / first[2]) / math.log(last[1] / first[1])
    print(f"time grows as ops^{exponent:.2f} from {first[0]}x to {last[0]}x (1.00 is linear)")
'
