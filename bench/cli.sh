#!/usr/bin/env bash
# CLI start-up benchmark (see BENCHMARKS.md, "CLI start-up"): a `baton standalone` with 20 finished jobs, then the
# wall time of `bin/baton jobs` (the thin client jar with class-data sharing), median of N runs (default 10), next
# to the same command without the CDS archive, from the full jar (Pekko on the classpath; also with default JVM flags,
# the way bin/baton ran it before), and curl.
# Usage: bench/cli.sh [N]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs="${1:-10}"
rest_port=$(free_port)
url="http://127.0.0.1:$rest_port"
BATON_JAVA_OPTS="-Xmx512m -XX:+UseSerialGC" "$baton" standalone --zk-port 0 --rest-port "$rest_port" \
  --data-dir "$work/data" >"$work/standalone.log" 2>&1 & pids+=($!)
until grep -q "Baton standalone is up" "$work/standalone.log" 2>/dev/null; do sleep 0.2; done
until curl -sf "$url/api/v1/readyz" >/dev/null; do sleep 0.2; done
for i in $(seq 20); do
  curl -sf -X POST "$url/api/v1/jobs" -H 'Content-Type: application/json' \
    --data "{\"name\": \"bench-$i\", \"tasks\": [{\"id\": \"t\", \"handler\": \"noop\"}]}" >/dev/null
done
export BATON_URL="$url"
clijar="$(ls "$home"/cli/target/baton-cli-*-all.jar | head -n 1)"
appjar="$(ls "$home"/app/target/baton-app-*-all.jar | head -n 1)"
rm -f "${clijar%.jar}.jsa"
"$baton" jobs >/dev/null   # the first run after a build records the CDS archive (not measured)

# time_runs LABEL COMMAND...: N runs; the median, min and max wall time and the median CPU time (user + system) in ms.
# CPU time tells the configurations apart even when other work on the machine stretches the wall time.
time_runs() {
  local label="$1"; shift
  local rows="$work/times"
  : >"$rows"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S" -a -o "$rows" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  done
  python3 - "$label" "$rows" <<'PY'
import statistics, sys
label, path = sys.argv[1], sys.argv[2]
rows = [[float(x) for x in line.split()] for line in open(path) if line.strip() and line[0].isdigit()]
wall = sorted(int(r[0] * 1000) for r in rows)
cpu = statistics.median(int((r[1] + r[2]) * 1000) for r in rows)
print("%-50s wall median %5d ms  min %5d  max %5d   cpu median %5d ms   (wall: %s)"
      % (label, statistics.median(wall), wall[0], wall[-1], cpu, " ".join(map(str, wall))))
PY
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs; $(java -version 2>&1 | head -n 1)"
time_runs "bin/baton jobs (thin jar, CDS)" "$baton" jobs
time_runs "thin jar without the CDS archive" java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData \
  -cp "$clijar" io.baton.cli.CliMain jobs
time_runs "full jar (Pekko on the classpath), C1, SerialGC" java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -jar "$appjar" jobs
time_runs "full jar, default JVM flags (bin/baton before)" java -jar "$appjar" jobs
time_runs "curl" curl -sf "$url/api/v1/jobs"
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
