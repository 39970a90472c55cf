#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, no ZooKeeper) on 127.0.0.1 for tests and for trying the
# consumer, without Docker: the jars come from Maven Central (infra/kafka/pom.xml pins the
# version), Java 17 runs them. Why this version: docs/decisions/0009-kafka-broker-for-tests.md.
#
#   infra/kafka/local-broker.sh start [--nodes 1|3]   format fresh storage, start, wait until every
#                                                     broker answers, print KAFKA_BROKERS=… on stdout
#   infra/kafka/local-broker.sh stop [--node N]       stop the cluster (and delete its data), or one node
#   infra/kafka/local-broker.sh start --node N        start again a node stopped with `stop --node N`
#   infra/kafka/local-broker.sh status                which nodes run; exit 0 all, 3 some, 1 none
#   infra/kafka/local-broker.sh fetch                 only download the jars into the cache
#
# Progress goes to stderr and only `KAFKA_BROKERS=host:port,…` to stdout, so that
# `export "$(infra/kafka/local-broker.sh start)"` works. Settings: LEDGER_KAFKA_DIR (state: pid
# files, configs, data, logs; default $TMPDIR/ledger-kafka-local), LEDGER_KAFKA_CACHE (the jars;
# default ~/.cache/ledger-kafka), LEDGER_KAFKA_HEAP (JVM heap of each node, default 512m),
# LEDGER_KAFKA_START_TIMEOUT_S (default 90).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pom="$here/pom.xml"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
cache="${LEDGER_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ledger-kafka}/$version"
dir="${LEDGER_KAFKA_DIR:-${TMPDIR:-/tmp}/ledger-kafka-local}"
heap="${LEDGER_KAFKA_HEAP:-512m}"
start_timeout_s="${LEDGER_KAFKA_START_TIMEOUT_S:-90}"
# A node that has not stopped this long after SIGTERM is killed; its data is thrown away anyway.
stop_timeout_s=20

say() { printf 'local-broker: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The jars, once per version: Maven resolves kafka_2.13 and everything it needs at run time.
fetch() {
  if [ -f "$cache/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || die "mvn is not installed (Maven 3.8+ fetches Kafka $version from Maven Central)"
  say "fetching Apache Kafka $version with Maven into $cache (first run only)"
  rm -rf "$cache.partial"
  mkdir -p "$cache.partial"
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$cache.partial/libs" >&2 ||
    die "Maven could not fetch Kafka $version (is Maven Central reachable?)"
  touch "$cache.partial/.complete"
  rm -rf "$cache"
  mv "$cache.partial" "$cache"
}

# A small heap: the brokers share the machine with the tests. The class path is a quoted wildcard,
# which Java expands itself.
java_cmd=(java -Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true -cp "$cache/libs/*")
need_java() { command -v java >/dev/null || die "java is not installed (Java 17 runs the broker)"; }

# N free TCP ports on 127.0.0.1, held open together so that they are distinct.
free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const servers = Array.from({ length: n }, () => net.createServer());
    Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", ok)))).then(() => {
      console.log(servers.map((s) => s.address().port).join(" "));
      servers.forEach((s) => s.close());
    });' "$1"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

node_count() { cat "$dir/nodes" 2>/dev/null || echo 0; }

brokers() { cat "$dir/brokers"; }

write_configs() {
  local nodes="$1" ports voters="" brokers="" i
  read -r -a ports <<<"$(free_ports $((nodes * 2)))"
  for i in $(seq 1 "$nodes"); do
    voters="${voters:+$voters,}$i@127.0.0.1:${ports[$((nodes + i - 1))]}"
    brokers="${brokers:+$brokers,}127.0.0.1:${ports[$((i - 1))]}"
  done
  # Internal topics replicated on every node (at most 3); with 3 nodes a write needs 2 of them,
  # so that one node may stop without losing an acknowledged write (the failover test does).
  local replication=$((nodes < 3 ? nodes : 3)) min_isr=$((nodes < 3 ? 1 : 2))
  for i in $(seq 1 "$nodes"); do
    mkdir -p "$dir/node-$i/data" "$dir/node-$i/logs"
    cat >"$dir/node-$i/server.properties" <<EOF
# Written by infra/kafka/local-broker.sh: node $i of $nodes, broker and controller in one process.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:${ports[$((i - 1))]},CONTROLLER://127.0.0.1:${ports[$((nodes + i - 1))]}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports[$((i - 1))]}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/node-$i/data
# As in production (docker-compose too): topics come from infra/kafka/topics.json, never from a typo.
auto.create.topics.enable=false
default.replication.factor=$replication
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$replication
# Fewer offsets partitions than the default 50: the first consumer group of a run waits for them all.
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=$replication
transaction.state.log.min.isr=$min_isr
# A test's consumer group starts at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
# A stopped node is noticed in seconds, not the default 9 s (the failover test waits for it).
broker.session.timeout.ms=6000
num.network.threads=2
num.io.threads=4
log.retention.hours=1
EOF
  done
  cat >"$dir/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
EOF
  echo "$nodes" >"$dir/nodes"
  echo "$brokers" >"$dir/brokers"
  printf 'KAFKA_BROKERS=%s\n' "$brokers" >"$dir/env"
}

format_storage() {
  local nodes="$1" cluster_id i
  # A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
  # Not starting with '-' (as Kafka's own Uuid.randomUuid ensures): the tool would take it for an
  # option and stop with "expected one argument" (1 run in 64).
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  # In parallel: each format is a JVM start of several seconds.
  local pids=()
  for i in $(seq 1 "$nodes"); do
    "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/node-$i/server.properties" \
      >"$dir/node-$i/logs/format.log" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 "$nodes"); do
    wait "${pids[$((i - 1))]}" || die "formatting node $i failed: $(cat "$dir/node-$i/logs/format.log")"
  done
}

start_node() {
  local i="$1"
  alive "$dir/node-$i/pid" && return 0
  # setsid: the node outlives this script and a Ctrl-C of whoever ran it; `stop` ends it by pid.
  setsid "${java_cmd[@]}" -Dlog4j.configuration="file:$dir/log4j.properties" -Dkafka.logs.dir="$dir/node-$i/logs" \
    kafka.Kafka "$dir/node-$i/server.properties" >"$dir/node-$i/logs/stdout.log" 2>&1 </dev/null &
  echo $! >"$dir/node-$i/pid"
}

# Until every running node answers a metadata request listing all the running brokers.
wait_until_answering() {
  local expected="$1" deadline=$((SECONDS + start_timeout_s)) i
  while :; do
    for i in $(seq 1 "$(node_count)"); do
      if [ -f "$dir/node-$i/pid" ] && ! alive "$dir/node-$i/pid"; then
        tail -n 30 "$dir/node-$i/logs/server.log" "$dir/node-$i/logs/stdout.log" >&2 2>/dev/null || true
        die "node $i exited while starting (logs above; all of them in $dir/node-$i/logs)"
      fi
    done
    if (cd "$root" && node "$here/wait-for-brokers.js" "$(brokers)" "$expected" 2>/dev/null); then return 0; fi
    [ "$SECONDS" -lt "$deadline" ] || die "no answer from $expected broker(s) within ${start_timeout_s}s (logs in $dir/node-*/logs)"
    sleep 0.5
  done
}

running_nodes() {
  local i n=0
  for i in $(seq 1 "$(node_count)"); do alive "$dir/node-$i/pid" && n=$((n + 1)); done
  echo "$n"
}

stop_pids() {
  local pids=("$@") deadline=$((SECONDS + stop_timeout_s)) pid left
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  while :; do
    left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      # The last nodes of a cluster can wait forever for a controller quorum that has gone.
      for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
      return 0
    fi
    sleep 0.2
  done
}

cmd_start() {
  local nodes=1 node=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) nodes="${2:?--nodes needs a number}"; shift 2 ;;
      --node) node="${2:?--node needs a number}"; shift 2 ;;
      *) usage ;;
    esac
  done
  if [ -n "$node" ]; then
    [ -f "$dir/node-$node/server.properties" ] || die "there is no node $node in $dir"
    start_node "$node"
    wait_until_answering "$(running_nodes)"
    say "node $node is back"
    printf 'KAFKA_BROKERS=%s\n' "$(brokers)"
    return 0
  fi
  case "$nodes" in 1 | 3) ;; *) die "--nodes must be 1 or 3 (a KRaft quorum of 2 stops with either node)" ;; esac
  if [ "$(running_nodes)" -gt 0 ]; then
    say "already running in $dir ($(running_nodes) of $(node_count) nodes); stop it first to start another"
    printf 'KAFKA_BROKERS=%s\n' "$(brokers)"
    return 0
  fi
  need_java
  fetch
  local started=$SECONDS
  rm -rf "$dir"
  mkdir -p "$dir"
  write_configs "$nodes"
  format_storage "$nodes"
  local i
  for i in $(seq 1 "$nodes"); do start_node "$i"; done
  wait_until_answering "$nodes"
  say "Kafka $version: $nodes node(s) answering on $(brokers) after $((SECONDS - started))s (state and logs in $dir)"
  printf 'KAFKA_BROKERS=%s\n' "$(brokers)"
}

cmd_stop() {
  local node=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --node) node="${2:?--node needs a number}"; shift 2 ;;
      *) usage ;;
    esac
  done
  if [ -n "$node" ]; then
    alive "$dir/node-$node/pid" || die "node $node is not running"
    stop_pids "$(cat "$dir/node-$node/pid")"
    rm -f "$dir/node-$node/pid"
    say "node $node stopped"
    return 0
  fi
  local i pids=()
  for i in $(seq 1 "$(node_count)"); do alive "$dir/node-$i/pid" && pids+=("$(cat "$dir/node-$i/pid")"); done
  if [ "${#pids[@]}" -gt 0 ]; then stop_pids "${pids[@]}"; fi
  rm -rf "$dir"
  say "stopped (${#pids[@]} node(s))"
}

cmd_status() {
  local nodes i running
  nodes="$(node_count)"
  running="$(running_nodes)"
  if [ "$nodes" = 0 ]; then
    say "not started ($dir)"
    return 1
  fi
  for i in $(seq 1 "$nodes"); do
    if alive "$dir/node-$i/pid"; then say "node $i: running, pid $(cat "$dir/node-$i/pid")"; else say "node $i: stopped"; fi
  done
  printf 'KAFKA_BROKERS=%s\n' "$(brokers)"
  if [ "$running" = "$nodes" ]; then return 0; elif [ "$running" = 0 ]; then return 1; else return 3; fi
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status ;;
  fetch) fetch && say "Kafka $version is in $cache" ;;
  *) usage ;;
esac
