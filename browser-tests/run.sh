#!/usr/bin/env bash
# Real-browser tests (Debian's Chromium driven by playwright-core) of SSE and WebSocket resume.
# Idempotent: installs what is missing (Chromium via apt-get when root, the npm dev dependencies when
# node_modules is missing or older than the lockfile), builds the server jar when it is missing or older
# than the sources, then runs `node --test`. Extra arguments go to `node --test` (e.g. a test file).
#
# Environment:
#   PULSEBASE_CHROMIUM   the browser binary (default /usr/bin/chromium)
#   PULSEBASE_JAR        the server jar (default server/target/pulsebase.jar, built here when needed)
#   PULSEBASE_KEEP_TEST_DATA=1  keep each test's data folder and server log (in $TMPDIR)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CHROMIUM=${PULSEBASE_CHROMIUM:-/usr/bin/chromium}
export PULSEBASE_CHROMIUM="$CHROMIUM"

say() { echo "browser-tests: $*" >&2; }

# 1. The browser: the distribution's chromium, never a downloaded one.
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing chromium with apt-get"
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2
  else
    say "no browser at $CHROMIUM. Install Debian's chromium package, e.g.:"
    say "  sudo apt-get update && sudo apt-get install -y chromium"
    say "or point PULSEBASE_CHROMIUM at a Chromium/Chrome binary; skip these tests with PULSEBASE_SKIP_BROWSER_TESTS=1."
    exit 1
  fi
fi

# 2. Node and the npm dev dependencies (playwright-core only).
# shellcheck source=../bin/lib/node.sh
. "$ROOT/bin/lib/node.sh"
pulsebase_require_node
cd "$HERE"
pulsebase_npm_install

# 3. The JDK the launcher would choose, and the server jar.
# shellcheck source=../bin/lib/jdk.sh
. "$ROOT/bin/lib/jdk.sh"
pulsebase_prepare_test_server "$ROOT"

# 4. The tests. One file at a time when node supports it: each test runs a JVM and a browser.
args=()
if node --help 2>/dev/null | grep -q -- '--test-concurrency'; then
  args+=(--test-concurrency=1)
fi
if [ $# -eq 0 ]; then
  set -- test/*.test.js
fi
exec node --test "${args[@]}" "$@"
