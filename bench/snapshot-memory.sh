#!/bin/bash
# Heap a 300,000-row table snapshot costs the server (docs/benchmarks.md, "Snapshot memory"): start the jar with
# -Xmx$XMX (default 512m) and a GC log, fill the table in 30 transactions, run two snapshot subscriptions
# (bench/snapshot-client.mjs, which needs the `ws` package of ../shared/peer-bench), print the heap the GC log saw.
# Usage: XMX=160m bench/snapshot-memory.sh <server jar> <port below 32768> <label>
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 PATH=/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH
D=/tmp/snapmem-$2; rm -rf $D; mkdir -p $D
java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseSerialGC -Xms32m -Xmx${XMX:-512m} \
  -XX:+UseCompactObjectHeaders -Dio.netty.leakDetection.level=disabled -Xlog:gc:file=$D/gc.log \
  -jar $1 start --port $2 --data $D/data > $D/server.log 2>&1 &
PID=$!
for i in $(seq 1 100); do curl -sf http://127.0.0.1:$2/health >/dev/null && break; sleep 0.2; done
curl -s -XPOST localhost:$2/v1/sql -d '{"sql":"CREATE TABLE big (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)"}' >/dev/null
for k in $(seq 0 29); do
  curl -s -XPOST localhost:$2/v1/sql -d '{"sql":"INSERT INTO big (a, b) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 10000) SELECT printf(\"row %08d %s\", i, hex(randomblob(40))), i FROM n"}' > $D/ins.txt
  grep -q '"changes":10000' $D/ins.txt || { echo "insert $k: $(head -c 200 $D/ins.txt)"; }
done
sleep 5; jcmd $PID GC.run >/dev/null; L=$(wc -l < $D/gc.log)
node "$(dirname "$0")/snapshot-client.mjs" $2
node "$(dirname "$0")/snapshot-client.mjs" $2
tail -n +$((L+1)) $D/gc.log | grep -o '[0-9]*M->[0-9]*M' | awk -F'M->' -v label="$3" '{if ($1+0>m) m=$1+0; split($2,a,"M"); if (a[1]+0>n) n=a[1]+0} END {print label, "max heap before GC", m, "MB, max after GC", n, "MB"}'
kill $PID; wait $PID 2>/dev/null; rm -rf $D/data
