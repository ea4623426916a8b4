# Node.js helpers for the test scripts that run JavaScript (browser-tests/run.sh, clients/js/run-tests.sh).
# Source this file; `say` must be defined by the caller.

# Fails (exit 1) unless Node.js 20+ and npm are on the PATH.
pulsebase_require_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "Node.js 20+ and npm are needed (node and npm were not found)."
    exit 1
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then
    say "Node.js 20 or newer is needed (found $(node --version))."
    exit 1
  fi
}

# Installs the npm dependencies of the current folder when node_modules is missing or older than
# package.json / package-lock.json: `npm ci` with a lockfile, `npm install` without.
pulsebase_npm_install() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
    if [ -f package-lock.json ]; then
      say "installing npm dependencies (npm ci)"
      npm ci --no-audit --no-fund >&2
    else
      say "installing npm dependencies (npm install)"
      npm install --no-audit --no-fund >&2
    fi
  fi
}
