#!/usr/bin/env bash
# Fuzzes a live hub's HTTP API with schemathesis against Protocol/openapi.yaml (issue 6,
# point 4): no 5xx, every answer as the document says, and the hub neither crashes nor
# fails to stop cleanly on SIGTERM. Exits non-zero on any failure.
#
# Needs a built binary (swift build; HEARTH_BIN overrides .build/debug/hearth), python3 and
# pip. Requests are signed as a registered node by Tests/fuzz/hooks.py (three in four), so
# fuzzing reaches the handlers behind authentication.
#
# FUZZ_MAX_EXAMPLES (default 500): examples per operation and phase; FUZZ_SEED (default
# 421281): the run's seed, fixed so a CI failure can be replayed; set it to another number
# to explore. Reports (JUnit, NDJSON events) are kept in FUZZ_REPORT_DIR if set; FUZZ_ARGS
# adds schemathesis options (e.g. "--include-path /v1/push").
#
# Schemathesis warns that /v1/register "mostly rejected generated data": a registration
# needs an unused enrollment secret, which random data never is (403). That is expected.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

schemathesis_version=4.32.5
hearth=${HEARTH_BIN:-.build/debug/hearth}
examples=${FUZZ_MAX_EXAMPLES:-500}
seed=${FUZZ_SEED:-421281}

[ -x "$hearth" ] || { echo "fuzz: $hearth not found: run swift build first" >&2; exit 1; }
if ! python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$schemathesis_version')" 2>/dev/null; then
    echo "fuzz: installing schemathesis $schemathesis_version"
    python3 -m pip install --quiet "schemathesis==$schemathesis_version"
fi
python3 -c "import cryptography" 2>/dev/null || python3 -m pip install --quiet "cryptography>=42"

work=$(mktemp -d "${TMPDIR:-/tmp}/hearth-fuzz.XXXXXX")
hub_pid=""
cleanup() {
    if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then kill -KILL "$hub_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$hearth" hub init --db "$work/hub.db" --name fuzz --scope 421281 >/dev/null
: >"$work/hub.out"
"$hearth" hub serve --db "$work/hub.db" --port 0 >>"$work/hub.out" 2>"$work/hub.err" &
hub_pid=$!

# The hub prints "hub fuzz serving http://127.0.0.1:PORT" once it listens on the free port
# it picked; then /healthz must answer. Poll both, for at most 60 s.
url=""
deadline=$((SECONDS + 60))
while :; do
    if ! kill -0 "$hub_pid" 2>/dev/null; then
        echo "fuzz: the hub exited before it served" >&2
        cat "$work/hub.err" >&2
        exit 1
    fi
    [ -n "$url" ] || url=$(sed -n 's|^hub fuzz serving \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$work/hub.out")
    if [ -n "$url" ] && python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "$url/healthz" 2>/dev/null; then
        break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "fuzz: the hub did not answer /healthz within 60 s" >&2
        exit 1
    fi
    sleep 0.1
done
echo "fuzz: hub serving $url (pid $hub_pid)"

# A registered village node whose key the hooks sign with.
token=$("$hearth" hub enroll --db "$work/hub.db" --name fuzz-node --scope 421281101001)
replica=$("$hearth" node init --db "$work/node.db" --token "$token" --hub "$url" --json \
    | python3 -c "import json, sys; print(json.load(sys.stdin)['replica'])")

started=$SECONDS
status=0
# Run from the temporary directory: schemathesis keeps a .schemathesis/ cache in its working directory.
(cd "$work" && HEARTH_FUZZ_KEY_FILE="$work/node.db.key" HEARTH_FUZZ_REPLICA="$replica" \
    SCHEMATHESIS_HOOKS="$root/Tests/fuzz/hooks.py" \
    python3 -m schemathesis.cli run "$root/Protocol/openapi.yaml" \
    --url "$url" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$examples" \
    --seed "$seed" \
    --workers 1 \
    --request-timeout 30 \
    --generation-database none \
    --no-color \
    --report junit,ndjson --report-dir "$work/report" ${FUZZ_ARGS:-}) || status=$?
elapsed=$((SECONDS - started))

# Figures: requests sent and failures, from schemathesis's own event log.
python3 - "$work/report" "$elapsed" <<'PY' || true
import glob, json, sys
requests = 0
for path in glob.glob(sys.argv[1] + "/*.ndjson"):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            event = json.loads(line)
            for key, value in event.items():
                if key == "ScenarioFinished":
                    requests += len(value.get("recorder", {}).get("interactions", {}))
print(f"fuzz: {requests} requests in {sys.argv[2]} s")
PY
if [ -n "${FUZZ_REPORT_DIR:-}" ]; then mkdir -p "$FUZZ_REPORT_DIR" && cp -r "$work/report/." "$FUZZ_REPORT_DIR/"; fi

# The hub must still be alive, then stop cleanly on SIGTERM.
if ! kill -0 "$hub_pid" 2>/dev/null; then
    wait "$hub_pid" || true
    echo "fuzz: the hub crashed during fuzzing" >&2
    tail -n 40 "$work/hub.err" >&2
    exit 1
fi
kill -TERM "$hub_pid"
deadline=$((SECONDS + 30))
while kill -0 "$hub_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
if kill -0 "$hub_pid" 2>/dev/null; then
    echo "fuzz: the hub did not stop within 30 s of SIGTERM" >&2
    exit 1
fi
hub_status=0
wait "$hub_pid" || hub_status=$?
hub_pid=""
if [ "$hub_status" -ne 0 ]; then
    echo "fuzz: the hub exited with status $hub_status on SIGTERM" >&2
    tail -n 40 "$work/hub.err" >&2
    exit 1
fi
echo "fuzz: the hub stopped cleanly"

if [ "$status" -ne 0 ]; then
    echo "fuzz: schemathesis found failures (exit $status); replay with FUZZ_SEED=$seed" >&2
    exit "$status"
fi
echo "fuzz: no failures"
