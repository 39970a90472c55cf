#!/usr/bin/env bash
# Smoke test of the built output as the Docker runtime stage holds it: dist/ and production
# dependencies only (npm ci --omit=dev --ignore-scripts) in a fresh folder, run with plain node —
# no TypeScript, no dev dependencies, no sources. Runs --help, the demo into a new embedded store
# (from the build's template), a query, then the HTTP API on a free port: /health, /ready, a view.
# Needs dist/ (npm ci builds it through `prepare`; otherwise run `npm run build` first).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$root/dist/apps/cli/src/main.js" ] || { echo "smoke: no dist/ — run npm run build first" >&2; exit 1; }
[ -f "$root/dist/infra/pglite/template.tar.gz" ] || { echo "smoke: dist/ has no embedded store template" >&2; exit 1; }

work="$(mktemp -d)"
api_pid=""
cleanup() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "smoke: production install in $work"
cp "$root/package.json" "$root/package-lock.json" "$work/"
cp -r "$root/dist" "$work/dist"
(cd "$work" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
cd "$work"
export LEDGER_DATA_DIR="$work/data"
unset DATABASE_URL KAFKA_BROKERS
cli=(node dist/apps/cli/src/main.js)

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

"${cli[@]}" --help | grep -q '^Usage:' || fail "--help printed no usage"
[ ! -e node_modules/@swc/core ] || fail "a dev dependency (@swc/core) was installed"

demo="$("${cli[@]}" demo)"
grep -q '执行数 4576.97' <<<"$demo" || fail "demo did not print seed 002's 执行数 4576.97 (万元): $demo"
echo "smoke: demo ok"

view="$("${cli[@]}" view --department 市贸促委 --as-of 2021-12-31 --json)"
node -e 'const v = JSON.parse(process.argv[1]); if (v.total.executed !== "45769713.94") process.exit(1)' "$view" ||
  fail "view: unexpected 执行数 in $view"
echo "smoke: query ok"

# serve checks identities (DESIGN.md §8): an analyst key made by the built CLI reads the view.
key="$("${cli[@]}" keys create --role analyst --name smoke --json | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).key))')"
[ -n "$key" ] || fail "keys create printed no key"
echo "smoke: keys ok"

port="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
PORT="$port" "${cli[@]}" serve 2>"$work/serve.log" &
api_pid=$!
for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$api_pid" 2>/dev/null || fail "serve exited: $(cat "$work/serve.log")"
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/health" | grep -q '"ok"' || fail "/health did not answer ok"
curl -fsS "http://127.0.0.1:$port/ready" >/dev/null || fail "/ready did not answer 200"
[ "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/departments/%E5%B8%82%E8%B4%B8%E4%BF%83%E5%A7%94/view?asOf=2021-12-31")" = 401 ] ||
  fail "GET view without a key did not answer 401"
curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/departments/%E5%B8%82%E8%B4%B8%E4%BF%83%E5%A7%94/view?asOf=2021-12-31" | grep -q '45769713.94' ||
  fail "GET view did not return the demo's 执行数"
kill -TERM "$api_pid"
# Nest's shutdown hooks close the app, then re-raise the signal: 143 (SIGTERM) is a clean stop too.
status=0
wait "$api_pid" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 143 ] || fail "serve exited $status on SIGTERM: $(cat "$work/serve.log")"
api_pid=""
echo "smoke: API ok (port $port)"
echo "smoke: built output runs with production dependencies only"
