#!/usr/bin/env bash
# The docs/kafka.md walkthrough, runnable: `npm run kafka:walkthrough`. Without KAFKA_BROKERS it
# starts a local broker (infra/kafka/local-broker.sh) and stops it at the end; with it, it uses
# that cluster. Then, step by step: the topics of infra/kafka/topics.json, `ledger consume` on a
# fresh embedded database, a treasury payment (and two bad messages) sent to the payments topic,
# what comes out on the ledger and dead-letter topics, the consumer's metrics, and the line's
# 执行数. Every step checks what it shows and the script exits non-zero when one is wrong, so CI
# runs this same script. Topic names get a suffix of this run, so runs never see each other's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() {
  printf 'walkthrough: %s\n' "$*" >&2
  exit 1
}

work="$(mktemp -d)"
consume_pid=""
own_broker=false
cleanup() {
  local code=$?
  if [ "$code" != 0 ] && [ -f "$work/consume.log" ]; then
    echo "walkthrough: the consumer's last log lines:" >&2
    tail -n 30 "$work/consume.log" >&2
  fi
  if [ -n "$consume_pid" ] && kill -0 "$consume_pid" 2>/dev/null; then
    kill -TERM "$consume_pid" 2>/dev/null || true
    wait "$consume_pid" 2>/dev/null || true
  fi
  if [ "$own_broker" = true ]; then infra/kafka/local-broker.sh stop || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${KAFKA_BROKERS:-}" ]; then
  step "0. a Kafka broker on this machine (infra/kafka/local-broker.sh; the first run downloads Kafka with Maven)"
  export LEDGER_KAFKA_DIR="$work/kafka"
  own_broker=true
  export "$(infra/kafka/local-broker.sh start)"
fi
echo "KAFKA_BROKERS=$KAFKA_BROKERS"

run="walkthrough-$(date +%s)-$$"
export KAFKA_PAYMENTS_TOPIC="$run.treasury.payments" KAFKA_DEAD_LETTER_TOPIC="$run.treasury.payments.dlq"
export KAFKA_LEDGER_TOPIC="$run.ledger.events" KAFKA_ALERTS_TOPIC="$run.ledger.alerts" KAFKA_GROUP_ID="$run"
# Replicated on every node of a 3-node cluster, as production would (topics.json says 1 for one node).
brokers_count="$(echo "$KAFKA_BROKERS" | tr ',' '\n' | wc -l)"
export KAFKA_REPLICATION_FACTOR=$((brokers_count < 3 ? 1 : 3))

step "1. create the topics of infra/kafka/topics.json (what docker-compose's kafka-init does)"
LOG_LEVEL=warn node -r ./tools/register.js apps/consumer/src/create-topics.ts
echo "topics: $KAFKA_PAYMENTS_TOPIC, $KAFKA_DEAD_LETTER_TOPIC, $KAFKA_LEDGER_TOPIC, $KAFKA_ALERTS_TOPIC"

step "2. start the ledger's consumer: npm run --silent ledger -- consume (embedded database in $work/ledger-data)"
metrics_port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
LEDGER_DATA_DIR="$work/ledger-data" METRICS_PORT="$metrics_port" LOG_LEVEL=warn \
  node -r ./tools/register.js apps/cli/src/main.ts consume 2>"$work/consume.log" &
consume_pid=$!
echo "consumer pid $consume_pid, metrics on http://127.0.0.1:$metrics_port/metrics, logs in $work/consume.log"

step "3. treasury sends a budget line, its approval, a payment, an overdrawn payment and a broken message (key|value)"
node infra/kafka/produce.js "$KAFKA_PAYMENTS_TOPIC" <<'EOF'
市贸促委|{"eventId":"open-L-0101","type":"BudgetLineOpened","effectiveDate":"2021-01-01","data":{"lineId":"L-0101","department":"市贸促委","fiscalYear":2021,"kind":"basic"}}
市贸促委|{"eventId":"init-L-0101","type":"InitialBudgetApproved","effectiveDate":"2021-01-01","data":{"lineId":"L-0101","amount":"5000.00"}}
市贸促委|{"eventId":"pay-2021-000123","type":"PaymentRecorded","effectiveDate":"2021-03-15","data":{"lineId":"L-0101","amount":"1200.00"}}
市贸促委|{"eventId":"pay-2021-000124","type":"PaymentRecorded","effectiveDate":"2021-03-16","data":{"lineId":"L-0101","amount":"9000.00"}}
市贸促委|{"eventId": "pay-2021-000125", 
EOF

step "4. what the ledger stored, as published on $KAFKA_LEDGER_TOPIC (key | event)"
node infra/kafka/tail.js "$KAFKA_LEDGER_TOPIC" 3 180000 | tee "$work/ledger.txt"
grep -q '"eventId":"pay-2021-000123"' "$work/ledger.txt" || fail "the payment is not on $KAFKA_LEDGER_TOPIC"

step "5. what it refused, on $KAFKA_DEAD_LETTER_TOPIC (key | record [headers])"
node infra/kafka/tail.js "$KAFKA_DEAD_LETTER_TOPIC" 2 60000 | tee "$work/dlq.txt"
grep -q '"code":"LINE_OVERDRAWN"' "$work/dlq.txt" || fail "the overdrawn payment is not a LINE_OVERDRAWN dead letter"
grep -q '"code":"INVALID_JSON"' "$work/dlq.txt" || fail "the broken message is not an INVALID_JSON dead letter"

step "6. the consumer's metrics (curl http://127.0.0.1:$metrics_port/metrics)"
metrics=""
for _ in $(seq 1 50); do
  metrics="$(curl -fsS "http://127.0.0.1:$metrics_port/metrics" || true)"
  # The lag reaches 0 once the offsets of the batch are committed, just after its dead letters.
  if grep -q '^ledger_kafka_consumer_lag{.*} 0$' <<<"$metrics"; then break; fi
  sleep 0.2
done
grep -E '^ledger_(events_stored_total|messages_dead_lettered_total|events_published_total|kafka_consumer_lag)' <<<"$metrics" || true
grep -q '^ledger_events_stored_total{source="kafka"} 3$' <<<"$metrics" || fail "ledger_events_stored_total is not 3"
grep -q '^ledger_kafka_consumer_lag{.*} 0$' <<<"$metrics" || fail "the consumer lag did not reach 0"

step "7. stop the consumer (SIGTERM: the batch in hand is stored and committed first), then read the ledger"
kill -TERM "$consume_pid"
wait "$consume_pid" || fail "the consumer did not stop cleanly: $(tail -n 20 "$work/consume.log")"
consume_pid=""
LEDGER_DATA_DIR="$work/ledger-data" node -r ./tools/register.js apps/cli/src/main.ts view --department 市贸促委 --year 2021 --as-of 2021-12-31 --group-by line | tee "$work/view.txt"
grep -q '1200.00' "$work/view.txt" || fail "the line's 执行数 is not 1200.00"

step "done: one payment stored once, two messages dead-lettered with their reason, everything published"
