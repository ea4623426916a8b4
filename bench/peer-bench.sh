#!/usr/bin/env bash
# Runs the shared peer benchmark (../shared/peer-bench beside the project, see its README.md and BASELINE.md) for Pulsebase
# and its peers: builds this checkout's server jar when sources changed, then runs the peer bench's
# run-matrix.sh with PEERS including `pulsebase` and PULSEBASE_DIR pointing here. Every knob of
# run-matrix.sh passes through the environment; options on the command line are exported the same way.
#
#   bench/peer-bench.sh                                  # pulsebase + socket.io, Mosquitto, NATS; scenarios A B C
#   bench/peer-bench.sh SCEN=A REPS=1 SECS=6 A_RATES_1000=50 A_RATES_5000=
#   PEERS=pulsebase SCEN=C C_SUBS=10000 bench/peer-bench.sh
#   PEER_BENCH=/path/to/peer-bench bench/peer-bench.sh   # another copy of the harness
#
# Knobs (run-matrix.sh's defaults unless said): PEERS [pulsebase socketio mosquitto nats], SCEN, REPS,
# SECS, RAW, OUT [results/matrix.jsonl, relative to the peer bench], OTHER_MAX, ATTEMPTS, QUIET_WAIT,
# QUIET_PCT, NICE, A_RATES_1000, A_RATES_5000, A_RATES_10000, B_RATES, C_SUBS, PULSEBASE_PORT [8080],
# PULSEBASE_JAVA_OPTS (replaces the launcher's tuning defaults, docs/configuration.md).
# Needs: Node 20+, `npm install` in the peer bench, and `apt-get install mosquitto nats-server` for those
# peers. Servers are started fresh for every run and stopped by pid; nothing is left running.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER_BENCH=${PEER_BENCH:-$ROOT/../shared/peer-bench}

for arg in "$@"; do
  case $arg in
    [A-Z_]*=*) export "${arg?}" ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "peer-bench.sh: unknown argument '$arg' (pass knobs as NAME=value)" >&2; exit 2 ;;
  esac
done

[ -x "$PEER_BENCH/run-matrix.sh" ] || { echo "peer-bench.sh: no run-matrix.sh in $PEER_BENCH (set PEER_BENCH)" >&2; exit 2; }
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

exec "$PEER_BENCH/run-matrix.sh"
