#!/usr/bin/env bash
# The night's scale curve (issue 13): `hearth bench sync` on the default county (300 villages,
# 30,000 households) at 1x, 2x and 4x its households, and the exponent of the sync's time
# (push + pull) against its ops: 1 is linear. The same exponent of the CPU the night spent (the
# hub's and the nodes', push and pull) tells growth in the work from a machine that was busier
# for one point than another: on shared cores the 1x night moved from 45 to 62 s in one hour. Usage:
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
    hub = (d["hub_push_cpu_ms"] + d["hub_pull_cpu_ms"]) / 1000
    nodes = (d["nodes_push_cpu_ms"] + d["nodes_pull_cpu_ms"]) / 1000
    rows.append((int(factor), d["ops"], seconds, hub + nodes, hub, nodes, d))
print("factor  ops       push+pull s  ops/s   CPU s   hub us/op  nodes us/op  push B/op  pull B/op  hub peak MiB")
for factor, ops, seconds, cpu, hub, nodes, d in rows:
    push, pull, peak = d["push_bytes_per_op"], d["pull_bytes_per_op"], d["hub_peak_kib"] // 1024
    print(f"{factor:<7} {ops:<9} {seconds:<12.1f} {ops / seconds:<7.0f} {cpu:<7.1f} {hub * 1e6 / ops:<10.0f} "
          f"{nodes * 1e6 / ops:<12.0f} {push:<10} {pull:<10} {peak}")
first, last = rows[0], rows[-1]
if last[1] > first[1]:
    scale = math.log(last[1] / first[1])
    time, work = math.log(last[2] / first[2]) / scale, math.log(last[3] / first[3]) / scale
    print(f"time grows as ops^{time:.2f} and CPU as ops^{work:.2f} from {first[0]}x to {last[0]}x (1.00 is linear)")
'
