#!/usr/bin/env bash
# The TypeScript SDK's tests: unit tests of the pure logic and integration tests against a real server
# process (the jar, started by the tests themselves on free ports with temporary data folders).
# Idempotent: installs the npm dev dependencies when node_modules is missing or older than the lockfile,
# builds the server jar when it is missing or older than the sources, compiles with tsc, runs `npm test`.
# Then the reconnect soak (npm run soak; PULSEBASE_SKIP_SOAK=1 skips it). `run-tests.sh soak` runs only the soak.
#
# Environment:
#   PULSEBASE_JAR               the server jar (default server/target/pulsebase.jar, built here when needed)
#   PULSEBASE_KEEP_TEST_DATA=1  keep each test's data folder and server log (in $TMPDIR)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
say() { echo "clients/js: $*" >&2; }

# shellcheck source=../../bin/lib/node.sh
. "$ROOT/bin/lib/node.sh"
pulsebase_require_node
cd "$HERE"
pulsebase_npm_install

# The JDK the launcher would choose, and the server jar.
# shellcheck source=../../bin/lib/jdk.sh
. "$ROOT/bin/lib/jdk.sh"
pulsebase_prepare_test_server "$ROOT"

if [ "${1:-}" = soak ]; then
  exec npm run soak
fi
npm test
# The reconnect soak (200 forced disconnects under continuous writes, about 25 s) is part of the suite, as
# issue 5 asks; PULSEBASE_SKIP_SOAK=1 leaves it out.
if [ "${PULSEBASE_SKIP_SOAK:-0}" != 1 ]; then
  npm run soak
fi
