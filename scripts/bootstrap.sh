# Sourced by the other scripts: a virtual environment in .venv with statusgen installed.
# Usage: . scripts/bootstrap.sh [EXTRAS]   (EXTRAS like "[test]")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # Install Debian packages that are missing, once.
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
  fi
}

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${1:-}"

if [ "${1:-}" = "[test]" ]; then
  # The browser, HTML-validator and workflow-lint tests: Debian's Chromium (driven by Playwright, which
  # never downloads a browser of its own), a Java runtime for the Nu HTML Checker, and the checkers
  # pinned in tests/tools/package-lock.json.
  # (Where a runner image brings its own Chromium or Java, as GitHub's Ubuntu images do, those are used.)
  [ -x /usr/bin/chromium ] || apt_install chromium
  command -v java >/dev/null 2>&1 || apt_install default-jre-headless
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if [ ! -f tests/tools/node_modules/.package-lock.json ] \
     || ! cmp -s tests/tools/package-lock.json tests/tools/node_modules/.lock-installed; then
    npm ci --prefix tests/tools --no-audit --no-fund --ignore-scripts --loglevel=error
    cp tests/tools/package-lock.json tests/tools/node_modules/.lock-installed
  fi
fi
