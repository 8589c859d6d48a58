#!/usr/bin/env bash
# Recovery benchmark (see BENCHMARKS.md): a real ZooKeeper, two masters (2 s session) and two workers on loopback.
# ZooKeeper is filled first (`baton bench-seed`: through the job store a leader uses, far faster than submitting) with
# FINISHED finished one-task jobs and PENDING jobs that wait for a worker no one has; then RUNNING long jobs are
# submitted over REST and run on the workers. Then `kill -9` of the leader. Prints the leader's live heap after a full
# GC and `GET /jobs?name=` times before the kill, and after it how long until the standby answers REST as leader,
# until every running attempt is adopted (none started again), until the newest page of the list is back, and until
# the whole finished history is listed.
# Usage: bench/recovery.sh [--finished N (20000)] [--pending M (0)] [--running R (0)]
set -euo pipefail
finished=20000; pending=0; running=0
while [ $# -gt 0 ]; do
  case "$1" in
    --finished) finished="$2"; shift 2 ;;
    --pending) pending="$2"; shift 2 ;;
    --running) running="$2"; shift 2 ;;
    *) echo "usage: bench/recovery.sh [--finished N] [--pending M] [--running R]" >&2; exit 2 ;;
  esac
done
source "$(dirname "$0")/lib.sh"
now_ms() { date +%s%3N; }
zk_port=$(free_port); rest1=$(free_port); rest2=$(free_port)
export BATON_LOG_LEVEL=INFO
start_zookeeper "$zk_port"
certs m1 m2 -- w1 w2
echo "seeding ZooKeeper ..."
BATON_JAVA_OPTS="-Xmx1g" "$baton" bench-seed --zk "127.0.0.1:$zk_port" --finished "$finished" --pending "$pending" \
  2>"$work/seed.log" | sed 's/^/  /'
common=(--zk "127.0.0.1:$zk_port" --port 0 --zk-session-timeout-ms 2000 --retention-max-count 10000000)
BATON_JAVA_OPTS="-Xmx2g" "$baton" master "${common[@]}" --rest-port "$rest1" --data-dir "$work/m1" --tls-dir "$work/tls/m1" >"$work/m1.log" 2>&1 & pids+=($!); m1=$!
# ready means a worker is registered too: wait for the election instead
until grep -q "leads for" "$work/m1.log"; do sleep 0.2; done
BATON_JAVA_OPTS="-Xmx2g" "$baton" master "${common[@]}" --rest-port "$rest2" --data-dir "$work/m2" --tls-dir "$work/tls/m2" >"$work/m2.log" 2>&1 & pids+=($!)
for w in 1 2; do
  "$baton" worker --zk "127.0.0.1:$zk_port" --worker-id "w$w" --data-dir "$work/w$w" --tls-dir "$work/tls/w$w" >"$work/w$w.log" 2>&1 & pids+=($!)
done
total=$((finished + pending))
listed() { python3 - "$1" "$2" <<'PY'
import json, sys, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/api/v1/jobs?limit=1000{sys.argv[2]}"
n, before = 0, None
while True:
    try:
        page = json.load(urllib.request.urlopen(url + (f"&before={before}" if before else "")))
    except Exception:  # not leading yet (503): nothing listed
        print(0); break
    n += len(page["jobs"])
    before = page.get("nextBefore")
    if not before:
        print(n); break
PY
}
adopted() { curl -s "http://127.0.0.1:$1/api/v1/workers" | python3 -c 'import json,sys; print(sum(w["runningAttempts"] for w in json.load(sys.stdin).get("workers", [])))'; }
until [ "$(listed "$rest1" "")" -ge "$total" ]; do sleep 0.5; done
until [ "$(curl -s "http://127.0.0.1:$rest1/api/v1/workers" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("workers", [])))')" -ge 2 ]; do sleep 0.2; done
if [ "$running" -gt 0 ]; then
  echo "submitting $running long jobs ..."
  python3 - "$rest1" "$running" <<'PY'
import json, sys, urllib.request, concurrent.futures
port, n = sys.argv[1], int(sys.argv[2])
body = lambda i: json.dumps({"name": f"long-{i}", "tasks": [{"id": "sleep", "handler": "sleep",
    "args": {"millis": 3600000}, "cpus": 0.001, "memoryMb": 1}]}).encode()
def submit(i):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/jobs", data=body(i),
        headers={"Content-Type": "application/json"})
    return urllib.request.urlopen(req).status
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    assert all(s == 201 for s in pool.map(submit, range(n)))
PY
  until [ "$(adopted "$rest1")" -ge "$running" ]; do sleep 0.2; done
fi
# bin/baton execs java: the leader's JVM is the launcher's child, or the launcher itself
java_pid=$(pgrep -P "$m1" java || echo "$m1")
jcmd "$java_pid" GC.run >/dev/null
heap=$(jcmd "$java_pid" GC.heap_info | python3 -c 'import re,sys; m=re.search(r"used (\d+)K", sys.stdin.read()); print(int(m.group(1))//1024 if m else -1)')
name_ms=$(python3 - "$rest1" <<'PY'
import sys, time, urllib.request
port = sys.argv[1]
times = []
for i in range(21):
    t = time.perf_counter()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/jobs?name=etl-{77 + i}&limit=50").read()
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"median {times[10]:.1f} ms, max {times[-1]:.1f} ms")
PY
)
sleep 2
kill -9 "$m1"; killed=$(now_ms)
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$rest2/api/v1/jobs?limit=1")" = 200 ]; do sleep 0.01; done
serving=$(now_ms)
# then, polled side by side: every running attempt adopted, the newest page back (the history is read newest
# first), the whole list back
page=$(( total < 100 ? total : 100 ))
read -r adopted_at first_page browsable < <(python3 - "$rest2" "$running" "$page" "$((total + running))" <<'PY'
import json, sys, time, urllib.request
port, running, page, everything = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
base = f"http://127.0.0.1:{port}/api/v1"
def get(path):
    try:
        return json.load(urllib.request.urlopen(base + path, timeout=5))
    except Exception:
        return {}
def listed():
    n, before = 0, None
    while True:
        p = get("/jobs?limit=1000" + (f"&before={before}" if before else ""))
        n += len(p.get("jobs", []))
        before = p.get("nextBefore")
        if not before:
            return n
now = lambda: int(time.time() * 1000)
adopted = now() if running == 0 else None
first = whole = None
last_whole_check = 0
give_up = time.time() + 180
while (adopted is None or first is None or whole is None) and time.time() < give_up:
    if adopted is None and sum(w["runningAttempts"] for w in get("/workers").get("workers", [])) >= running:
        adopted = now()
    if first is None and len(get(f"/jobs?limit={page}").get("jobs", [])) >= page:
        first = now()
    if whole is None and time.time() - last_whole_check > 0.5:
        last_whole_check = time.time()
        if listed() >= everything:
            whole = now()
    time.sleep(0.01)
print(adopted or -1, first or -1, whole or -1)   # -1: not within 3 minutes
PY
)
restarted=$(python3 - "$rest2" "$running" <<'PY'
import json, sys, urllib.request
port, n = sys.argv[1], int(sys.argv[2])
again = lost = 0
if n:
    page = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/jobs?name=long-&limit=1000"))
    for j in page["jobs"]:
        d = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/jobs/{j['id']}"))
        attempts = d["tasks"][0]["attempts"]
        again += len(attempts) - 1
        lost += sum(1 for a in attempts if a["state"] == "LOST")
print(f"{again} started again, {lost} lost")
PY
)
since() { [ "$1" -lt 0 ] && echo "not within 3 minutes" || echo "$(( $1 - killed )) ms after the kill"; }
echo "recovery with $finished finished, $pending waiting and $running running jobs stored, 2 s session:"
echo "  before the kill: leader heap after a full GC $heap MB; GET /jobs?name=etl-N (100 matches, limit 50): $name_ms"
echo "  standby serves REST as leader: $((serving - killed)) ms after the kill (the session expires about 2000 ms after it)"
[ "$running" -gt 0 ] && echo "  all $running running attempts adopted: $(since "$adopted_at") ($restarted)"
echo "  newest $page jobs listed: $(since "$first_page")"
echo "  whole history listed: $(since "$browsable")"
grep -h "granted leadership\|unfinished jobs in\|recovered\|leading as\|serves .* finished" "$work/m2.log" | sed 's/^/  log: /' | tail -6
