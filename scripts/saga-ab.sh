#!/usr/bin/env bash
# Compares two builds with the saga benchmark: A, B, B, A, each after a pause, so that the machine's drift (this
# one slows down under sustained load) falls on both sides. Each directory is a checkout built with
# `dotnet build -c Release Platform.sln` (e.g. `git worktree add ../base <rev>` for A).
# Usage: scripts/saga-ab.sh DIR_A DIR_B [benchmark arguments...]
#   e.g. scripts/saga-ab.sh ../base . --suite orchestration --concurrency 32 --seconds 25 --warmup 30
# PAUSE (seconds, default 30) sets the pause before each run. Prints each run's rows and cost lines.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 DIR_A DIR_B [benchmark arguments...]" >&2
  exit 2
fi

a=$1
b=$2
shift 2
for dir in "$a" "$b" "$b" "$a"; do
  sleep "${PAUSE:-30}"
  echo "== $dir $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
  output=$(cd "$dir" && dotnet run -c Release --no-build --project benchmarks/Saga.Benchmarks -- "$@" 2>&1) || true
  # A run that printed no result row (not built, crashed) shows its output instead of ending the comparison.
  if ! grep -A4 '^| orchestration\|^| choreography\|^| monolith' <<<"$output" | grep -v '^|---'; then
    echo "no result row; the run printed:"
    tail -20 <<<"$output"
  fi
done
