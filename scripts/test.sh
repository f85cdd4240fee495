#!/usr/bin/env bash
# Runs every test suite of Perspective Platform from a fresh clone.
# Installs what the tests need when it is missing: Debian's chromium (browser tests),
# Node.js and the npm packages in package.json (buf lint).
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
command -v npm >/dev/null 2>&1 || apt_install nodejs npm

if [ ! -x node_modules/.bin/buf ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm install"
  # Not `npm ci`: the registry mirror lacks other platforms' optional buf binaries, which `npm ci` insists on.
  npm install --no-save --no-audit --no-fund
fi

echo "== buf lint"
(cd protos && ../node_modules/.bin/buf lint)

echo "== build ($configuration)"
dotnet build Perspective.Platform.sln -c "$configuration" -nologo -v quiet

echo "== tests"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
dotnet test Perspective.Platform.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

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
