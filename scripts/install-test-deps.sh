#!/usr/bin/env bash
# Installs the Debian packages the tests and the local run need (PostgreSQL 15 server binaries, Redis 7),
# only when they are missing. Needs root (or sudo) the first time.
set -euo pipefail

missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies present: postgresql 15, redis-server"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The Debian package starts system-wide servers; the tests start their own throwaway ones instead.
$SUDO systemctl disable --now postgresql redis-server >/dev/null 2>&1 || true
