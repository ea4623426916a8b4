#!/usr/bin/env bash
# Runs the shared peer benchmark (../shared/peer-bench beside the project, see its README.md and BASELINE.md) for Pulsebase
# and its peers: builds this checkout's server jar when sources changed, then runs bench/peer-matrix.sh — the
# harness's method and load generator (fanout.js), with the `pulsebase` and `floor` peers added — with PULSEBASE_DIR pointing
# here. Knobs pass through the environment; options on the command line are exported the same way.
#
#   bench/peer-bench.sh                                  # pulsebase + socket.io, Mosquitto, NATS; scenarios A B C
#   bench/peer-bench.sh SCEN=A REPS=1 SECS=6 A_RATES_1000=50 A_RATES_5000=
#   PEERS=pulsebase SCEN=C C_SUBS=10000 bench/peer-bench.sh
#   PEERS="pulsebase nats floor" SCEN=A REPS=3           # with the floor: a bare Netty broadcast (BASELINE.md)
#   PEER_BENCH=/path/to/peer-bench bench/peer-bench.sh   # another copy of the harness
#
# Knobs (see bench/peer-matrix.sh for defaults): PEERS, SCEN, REPS, SECS, RAW, OUT [bench/target/peer-bench/
# matrix.jsonl], OTHER_MAX, ATTEMPTS, QUIET_WAIT, QUIET_PCT, NICE, A_RATES_1000, A_RATES_5000, A_RATES_10000,
# B_RATES, C_SUBS, PULSEBASE_PORT [8080], PULSEBASE_JAVA_OPTS (replaces the launcher's tuning defaults,
# docs/configuration.md), PULSEBASE_IO_THREADS, FLOOR_PORT [8090], FLOOR_JAVA_OPTS.
# Needs: Node 20+, `npm install` in the peer bench, and `apt-get install mosquitto nats-server` for those
# peers. Servers are started fresh for every run and stopped by pid; nothing is left running. The harness is
# only read: results and logs are written under bench/target/peer-bench.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER_BENCH=${PEER_BENCH:-$ROOT/../shared/peer-bench}

for arg in "$@"; do
  case $arg in
    [A-Z_]*=*) export "${arg?}" ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "peer-bench.sh: unknown argument '$arg' (pass knobs as NAME=value)" >&2; exit 2 ;;
  esac
done

[ -f "$PEER_BENCH/fanout.js" ] || { echo "peer-bench.sh: no fanout.js in $PEER_BENCH (set PEER_BENCH)" >&2; exit 2; }
[ -d "$PEER_BENCH/node_modules/ws" ] || { echo "peer-bench.sh: run 'npm install' in $PEER_BENCH first" >&2; exit 2; }

export PEERS=${PEERS:-"pulsebase socketio mosquitto nats"}
for peer in $PEERS; do
  case $peer in
    mosquitto|nats) bin=$([ "$peer" = nats ] && echo nats-server || echo mosquitto)
      command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || {
        echo "peer-bench.sh: $bin is not installed (apt-get install -y mosquitto nats-server)" >&2; exit 2; } ;;
  esac
done
export PATH="$PATH:/usr/sbin"

export PULSEBASE_DIR="$ROOT"
case " $PEERS " in
  *" pulsebase "*)
    # The launcher's build check: rebuilds server/target/pulsebase.jar when any main source changed.
    "$ROOT/bin/pulsebase" build-if-needed ;;
esac

case " $PEERS " in
  *" floor "*)
    # The floor peer (io.pulsebase.bench.floor.FloorServer) is in the bench jar: build it when missing or older
    # than the bench's sources. Its default JVM flags (peer-matrix.sh, FLOOR_JAVA_OPTS) need JDK 25.
    # shellcheck source=../bin/lib/jdk.sh
    . "$ROOT/bin/lib/jdk.sh"
    pulsebase_find_jdk
    export JAVA_HOME
    jar="$ROOT/bench/target/pulsebase-bench.jar"
    if [ ! -f "$jar" ] || [ -n "$(find "$ROOT/bench/src/main" -newer "$jar" -print -quit)" ]; then
      pulsebase_require_maven
      echo "peer-bench.sh: building $jar for the floor peer..." >&2
      (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests) >&2
    fi ;;
esac

export PEER_BENCH
exec "$ROOT/bench/peer-matrix.sh"
