"""Submit a job to Baton over REST and wait for it: python3 docs/examples/client.py [http://master:8080]"""
import os
import sys
import time
import uuid

import requests

base = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BATON_URL", "http://localhost:8080")) + "/api/v1"
spec = {"name": "from-python", "tasks": [
    {"id": "hello", "command": ["/bin/echo", "hello from python"]},
    {"id": "after", "handler": "sleep", "args": {"millis": 200}, "dependsOn": ["hello"]}]}

# the key makes a retried POST (after a timeout, during a failover) return the same job instead of a second one
r = requests.post(f"{base}/jobs", json=spec, headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
if r.status_code >= 400:  # application/problem+json, every violation in "errors"
    problem = r.json()
    sys.exit(f"{problem['title']}: {problem['detail']}")
job_id = r.json()["id"]
while True:
    job = requests.get(f"{base}/jobs/{job_id}", timeout=10).json()
    if job["state"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
        break
    time.sleep(0.5)
for task in job["tasks"]:
    print(task["id"], task["state"])
print(requests.get(f"{base}/jobs/{job_id}/tasks/hello/log", timeout=10).text, end="")
print(job_id, job["state"])
sys.exit(0 if job["state"] == "SUCCEEDED" else 1)
