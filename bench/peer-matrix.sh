#!/usr/bin/env bash
# The peer matrix with Pulsebase in it: for every scenario rung and peer, start a fresh server, run the shared
# harness's load generator (../shared/peer-bench/fanout.js) against it, stop the server. The same method as the
# harness's own run-matrix.sh (peers interleaved per configuration, a quiet machine awaited before each run, runs
# disturbed by other processes discarded and retried), plus the `pulsebase` peer and a broadcast rung with
# 10,000 subscribers, and the `floor` peer. The harness itself is only read: results and logs go to $OUT_DIR.
#
# Peers: pulsebase (bin/pulsebase start), socketio, mosquitto, nats (the harness's peers/), and floor: the bare Netty
# broadcast server of the harness's BASELINE.md ("The floor"), io.pulsebase.bench.floor.FloorServer from
# bench/target/pulsebase-bench.jar (build it first: mvn -B -q -pl bench -am package -DskipTests; bench/peer-bench.sh
# does), driven with the `pulsebase` adapter like Pulsebase itself. Not in the default PEERS: ask for it, e.g.
# PEERS="pulsebase nats floor".
#
# Called by bench/peer-bench.sh, which checks the prerequisites and builds the jar. Environment (defaults):
#   PEER_BENCH   the harness                                  PULSEBASE_DIR  the checkout whose bin/pulsebase runs
#   PEERS        pulsebase socketio mosquitto nats            SCEN   A B C      REPS 1     SECS 6     RAW 1
#   A_RATES_1000 50   A_RATES_5000 10   A_RATES_10000 5   B_RATES 20000   C_SUBS "10000 19500"
#   OUT_DIR      bench/target/peer-bench   OUT  $OUT_DIR/matrix.jsonl   OTHER_MAX 50   ATTEMPTS 2
#   QUIET_WAIT   30    QUIET_PCT 15    NICE 0 (e.g. -10 as root)   PULSEBASE_PORT 8080
#   PULSEBASE_PUBLISH_RATE 100000 (scenario B publishes 20,000/s from one connection; no peer limits that)
#   FLOOR_PORT 8090   FLOOR_JAR bench/target/pulsebase-bench.jar   FLOOR_JAVA_OPTS (BASELINE's JVM flags, below)
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER_BENCH=${PEER_BENCH:-$ROOT/../shared/peer-bench}
PULSEBASE_DIR=${PULSEBASE_DIR:-$ROOT}
PEERS=${PEERS:-"pulsebase socketio mosquitto nats"}
SCEN=${SCEN:-"A B C"}
REPS=${REPS:-1}
SECS=${SECS:-6}
RAW=${RAW:-1}
OUT_DIR=${OUT_DIR:-$ROOT/bench/target/peer-bench}
OUT=${OUT:-$OUT_DIR/matrix.jsonl}
DISCARD=$OUT_DIR/discarded.jsonl
OTHER_MAX=${OTHER_MAX:-50}
ATTEMPTS=${ATTEMPTS:-2}
QUIET_WAIT=${QUIET_WAIT:-30}
QUIET_PCT=${QUIET_PCT:-15}
NICE=${NICE:-0}
N=(nice -n "$NICE")
A_RATES_1000=${A_RATES_1000-50}
A_RATES_5000=${A_RATES_5000-10}
A_RATES_10000=${A_RATES_10000-5}
B_RATES=${B_RATES-20000}
C_SUBS=${C_SUBS-"10000 19500"}
PULSEBASE_PORT=${PULSEBASE_PORT:-8080}
FLOOR_PORT=${FLOOR_PORT:-8090}
FLOOR_JAR=${FLOOR_JAR:-$ROOT/bench/target/pulsebase-bench.jar}
# BASELINE.md's floor flags, plus what bin/pulsebase also gives the JVM on JDK 24+ (so that both run Netty alike:
# Netty's use of sun.misc.Unsafe allowed, no leak-detection sampling, no native-access warning).
FLOOR_JAVA_OPTS=${FLOOR_JAVA_OPTS:-"-Xms32m -Xmx256m -XX:+UseSerialGC -Xss256k -XX:+UseCompactObjectHeaders \
--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dio.netty.leakDetection.level=disabled"}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
mkdir -p "$OUT_DIR/logs" "$(dirname "$OUT")"
LOGS=$OUT_DIR/logs

SPID=""
start_server() { # $1 = peer
  local peer=$1 port
  case $peer in
    pulsebase)
      rm -rf "$OUT_DIR/pulsebase-data"
      # exec: the pid is the JVM's, so CPU and memory are sampled from the server itself.
      "${N[@]}" bash -c 'exec "$0/bin/pulsebase" start --port "$1" --data "$2" --publish-rate "$3"' \
        "$PULSEBASE_DIR" "$PULSEBASE_PORT" "$OUT_DIR/pulsebase-data" "${PULSEBASE_PUBLISH_RATE:-100000}" \
        >"$LOGS/$peer.log" 2>&1 & SPID=$!; port=$PULSEBASE_PORT ;;
    floor)
      [ -f "$FLOOR_JAR" ] || { echo "no $FLOOR_JAR: mvn -B -q -pl bench -am package -DskipTests" >&2; return 1; }
      # exec: the pid is the JVM's; $1 (FLOOR_JAVA_OPTS) unquoted, it is a list of flags
      "${N[@]}" bash -c 'exec "$0" $1 -cp "$2" io.pulsebase.bench.floor.FloorServer --port "$3"' \
        "$JAVA" "$FLOOR_JAVA_OPTS" "$FLOOR_JAR" "$FLOOR_PORT" >"$LOGS/$peer.log" 2>&1 & SPID=$!; port=$FLOOR_PORT ;;
    socketio)  (cd "$PEER_BENCH" && PORT=3001 exec "${N[@]}" node peers/socketio-server.js) >"$LOGS/$peer.log" 2>&1 & SPID=$!; port=3001 ;;
    mosquitto) (cd "$PEER_BENCH" && exec "${N[@]}" mosquitto -c peers/mosquitto.conf) >"$LOGS/$peer.log" 2>&1 & SPID=$!; port=9001 ;;
    nats)      (cd "$PEER_BENCH" && exec "${N[@]}" nats-server -c peers/nats.conf) >"$LOGS/$peer.log" 2>&1 & SPID=$!; port=9222 ;;
    *) echo "unknown peer $peer" >&2; return 1 ;;
  esac
  for _ in $(seq 1 300); do
    # the listening socket must belong to the server just started (another job could hold the port)
    if ss -Hltnp "sport = :$port" | grep -q "pid=$SPID,"; then sleep 0.3; return 0; fi
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "server $peer did not start listening on $port" >&2; stop_server; return 1
}
stop_server() {
  [ -n "$SPID" ] || return 0
  kill "$SPID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SPID" 2>/dev/null
  wait "$SPID" 2>/dev/null
  SPID=""
}
trap 'stop_server; exit 130' INT TERM

target_of() {
  case $1 in
    pulsebase|floor) echo pulsebase ;;
    socketio)  [ "$RAW" = 1 ] && echo socketio-raw || echo socketio ;;
    mosquitto) [ "$RAW" = 1 ] && echo mqtt-raw || echo mqtt ;;
    nats)      echo nats ;;
  esac
}

port_of() {
  case $1 in pulsebase) echo "$PULSEBASE_PORT" ;; floor) echo "$FLOOR_PORT" ;; socketio) echo 3001 ;; mosquitto) echo 9001 ;; nats) echo 9222 ;; esac
}

# Waits (at most QUIET_WAIT s) until the machine is quiet: busy time over 1 s is other jobs' between runs.
wait_quiet() {
  local a b waited=0
  while [ "$waited" -lt "$QUIET_WAIT" ]; do
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat)); waited=$((waited + 1))
    local tot=0 idle i
    for i in 1 2 3 4 5 6 7 8; do tot=$((tot + b[i] - a[i])); done
    idle=$((b[4] - a[4] + b[5] - a[5]))
    [ "$tot" -gt 0 ] && [ $((100 * (tot - idle) / tot)) -lt "$QUIET_PCT" ] && return 0
  done
  echo "  machine not quiet after ${QUIET_WAIT}s; running anyway"
}

# run_one PEER LABEL fanout-args...  (retries when other processes interfered)
run_one() {
  local peer=$1 label=$2; shift 2
  local target; target=$(target_of "$peer")
  local tmp; tmp=$(mktemp)
  for attempt in $(seq 1 "$ATTEMPTS"); do
    : >"$tmp"
    wait_quiet
    start_server "$peer" || { rm -f "$tmp"; return 1; }
    (cd "$PEER_BENCH" && timeout 600 "${N[@]}" node fanout.js --target "$target" --port "$(port_of "$peer")" \
      --server-pid "$SPID" --seconds "$SECS" --out "$tmp" --label "$label attempt=$attempt" "$@") >"$LOGS/last-run.txt" 2>&1
    local rc=$?
    stop_server
    grep -v '^\[fanout\]' "$LOGS/last-run.txt" | sed -n '1,8p' | sed "s/^/  [$peer $label] /"
    if [ $rc -ne 0 ] || [ ! -s "$tmp" ]; then echo "  run failed rc=$rc"; tail -5 "$LOGS/last-run.txt"; sleep 2; continue; fi
    # fanout.js records the adapter as `target`, and summarize.js groups by it: the floor (which uses the pulsebase
    # adapter) is recorded as target "floor", with the adapter kept in `adapter`, so that its rows stay apart.
    [ "$peer" != floor ] || node -e 'const fs=require("fs"),[f,peer,adapter]=process.argv.slice(1);
      fs.writeFileSync(f,fs.readFileSync(f,"utf8").trim().split("\n").map((l)=>JSON.stringify(
        Object.assign(JSON.parse(l),{target:peer,adapter}))).join("\n")+"\n")' "$tmp" "$peer" "$target"
    local other; other=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").pop());console.log(Math.round(r.other_cpu_pct))' "$tmp")
    if [ "$other" -gt "$OTHER_MAX" ] && [ "$attempt" -lt "$ATTEMPTS" ]; then
      echo "  other processes used ${other}% of a core during the run: discarded, retrying"
      cat "$tmp" >>"$DISCARD"; continue
    fi
    cat "$tmp" >>"$OUT"; break
  done
  rm -f "$tmp"
  sleep 1
}

broadcast() { # SUBS RATES REP
  local subs=$1 rates=$2 rep=$3 r peer
  for r in $rates; do for peer in $PEERS; do
    run_one "$peer" "A rep=$rep" --subs "$subs" --topics 1 --rate "$r" --size 128
  done; done
}

for rep in $(seq 1 "$REPS"); do
  for sc in $SCEN; do
    case $sc in
      A) broadcast 1000 "$A_RATES_1000" "$rep"; broadcast 5000 "$A_RATES_5000" "$rep"; broadcast 10000 "$A_RATES_10000" "$rep" ;;
      B) for r in $B_RATES; do for peer in $PEERS; do
           run_one "$peer" "B rep=$rep" --subs 5000 --topics 5000 --rate "$r" --size 128; done; done ;;
      C) for n in $C_SUBS; do for peer in $PEERS; do
           run_one "$peer" "C rep=$rep" --subs "$n" --topics 1 --idle --seconds 10 --procs 2 \
             --src-ips 127.0.0.2-127.0.0.5 --size 128; done; done ;;
    esac
  done
done
echo "done; results in $OUT (node $PEER_BENCH/summarize.js $OUT)"
