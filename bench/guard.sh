#!/usr/bin/env bash
# Cost of the attempt guard (see BENCHMARKS.md): N runs of a trivial command (/bin/sh -c true), started one
# after another, bare and under worker/.../attempt-guard.pl (stdin held open as the worker holds it, a lease far
# ahead). Prints the mean wall time per run of each and the difference.
# Usage: bench/guard.sh [N]   (default 200)
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"
guard="$home/worker/src/main/resources/io/baton/worker/execution/attempt-guard.pl"
n="${1:-200}"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=aarch64 ;; *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;; esac
check="$(perl "$guard" check "$arch")"
now=${check#ok }
deadline=$(( now + 3600 * 1000000000 ))
tmp="$(mktemp -d)"
trap 'exec 3>&-; rm -rf "$tmp"' EXIT
mkfifo "$tmp/stdin"
exec 3<>"$tmp/stdin"   # a pipe with a writer that stays: the guard never sees EOF
micros() { echo $(( ($2 - $1) / 1000 / n )); }
t0=$(date +%s%N); for ((i = 0; i < n; i++)); do /bin/sh -c true; done; t1=$(date +%s%N)
for ((i = 0; i < n; i++)); do perl "$guard" run "$arch" "$deadline" 3600000 -- /bin/sh -c true <&3 >/dev/null; done; t2=$(date +%s%N)
bare=$(micros "$t0" "$t1"); guarded=$(micros "$t1" "$t2")
echo "guard: $n runs of /bin/sh -c true: bare ${bare} us, guarded ${guarded} us, the guard adds $((guarded - bare)) us per attempt"
