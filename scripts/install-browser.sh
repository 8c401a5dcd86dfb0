#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/browser/chromium.test.ts), which drive it
# with playwright-core at /usr/bin/chromium. Never `npx playwright install`: that downloads a
# browser build, which this project does not rely on. Idempotent; run as root. ~20 s, +516 MB.
#
# CI: run this, then export REQUIRE_BROWSER=1 so a broken install fails the tests instead of
# skipping them.
set -euo pipefail

log() { echo "install-browser: $*" >&2; }

if [ -x /usr/bin/chromium ] && /usr/bin/chromium --version >/dev/null 2>&1; then
  log "already installed: $(/usr/bin/chromium --version 2>/dev/null)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it apt-get installs chromium)"
  exit 1
fi
command -v apt-get >/dev/null || { log "needs apt-get (Debian/Ubuntu)"; exit 1; }

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
log "installed: $(/usr/bin/chromium --version 2>/dev/null)"
