#!/usr/bin/env bash
# Contract fuzzing: runs schemathesis against a real server (gunicorn with deploy/gunicorn.conf.py, the
# embedded default on a fresh SQLite file) for both contracts in ../shared/spec, bounded in time, with the
# checks that must never fail: no 5xx, every response matches its declared schema.
# Only operations the server implements are fuzzed: their ids are read from our own /openapi.json, so the
# run grows as operations are added. Usage: .ci/schemathesis.sh [seconds per contract, default 150]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_CONTRACT="${1:-150}"
SPEC_DIR="${SPEC_DIR:-../shared/spec}"
PORT="${SCHEMATHESIS_PORT:-18765}"
WORK="$(mktemp -d)"
BIN=.venv/bin
export ERPINTEGRATION_VAR_DIR="$WORK/var" DATABASE_URL="sqlite:///$WORK/var/db.sqlite3" PORT
export RATE_LIMIT_ORG_PER_MINUTE=0 RATE_LIMIT_TOKEN_PER_MINUTE=0   # fuzz the operations, not the limiter
unset CELERY_BROKER_URL DJANGO_SETTINGS_MODULE

if [ ! -d "$SPEC_DIR" ]; then echo "schemathesis: $SPEC_DIR not found, skipped"; exit 0; fi
mkdir -p "$WORK/var"
$BIN/python manage.py migrate --noinput -v0
TOKEN="$($BIN/python manage.py create_token --org fuzz --name schemathesis 2>/dev/null | tail -1)"
$BIN/gunicorn -c deploy/gunicorn.conf.py > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/openapi.json" > "$WORK/ours.json"

status=0
for contract in ${SCHEMATHESIS_CONTRACTS:-erp-integration.openapi.json integration-toolkit-1.33.0.openapi.json}; do
  spec="$SPEC_DIR/$contract"
  [ -f "$spec" ] || continue
  mapfile -t include < <($BIN/python - "$WORK/ours.json" "$spec" <<'PY'
import json, sys
ours, spec = (json.load(open(path)) for path in sys.argv[1:3])
def ids(doc):
    return {op["operationId"] for item in doc["paths"].values() for op in item.values()
            if isinstance(op, dict) and "operationId" in op}
for operation_id in sorted(ids(ours) & ids(spec)):
    print("--include-operation-id"); print(operation_id)
PY
)
  echo "=== schemathesis: $contract, $(( ${#include[@]} / 2 )) implemented operations, ${SECONDS_PER_CONTRACT}s ==="
  run() {
    $BIN/schemathesis --no-color run "$spec" "$@" --url "http://127.0.0.1:$PORT" \
      -H "Authorization: Bearer $TOKEN" --checks "${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance}" \
      --max-time "$SECONDS_PER_CONTRACT" --workers 2 --request-timeout 30 --warnings off \
      --suppress-health-check all "${include[@]}" 2>&1 | tee "$WORK/run.txt"
    return "${PIPESTATUS[0]}"
  }
  if ! run; then
    # Hypothesis under Python 3.11 fails inside its own code ("AST constructor recursion depth mismatch")
    # in the coverage phase of v1.33's queryEvents schema; that is no finding about the API. When that is
    # the only problem, the other operations passed every phase: run once more without the coverage phase.
    if grep -q "AST constructor recursion depth mismatch" "$WORK/run.txt" && ! grep -q "^==* FAILURES" "$WORK/run.txt"; then
      echo "schemathesis stopped on an internal error of its own; running again without the coverage phase"
      run --phases examples,fuzzing,stateful || status=1
    else
      status=1
    fi
  fi
done
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 80 lines) ---"; tail -80 "$WORK/server.log"
fi
rm -rf "$WORK"
exit "$status"
