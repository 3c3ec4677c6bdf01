#!/usr/bin/env python3
"""Lifecycle figures of the real, published edge binary.

  restart   N endpoints deployed, process restarted: time from process start until all N answer 200,
            and how many were recompiled (must be 0: they come from the compile cache)
  swaps     wrk load on one endpoint while it is redeployed S times: non-2xx and socket errors (must be 0)
  redeploys one endpoint redeployed R times with distinct code and traffic in between: resident memory
            after the first 100 and after all R, and how many handler load contexts are still alive

Usage: python3 bench/lifecycle.py [--binary PATH] [restart|swaps|redeploys|all]
Publishes the binary first when --binary is not given.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "bench-token-" + os.urandom(8).hex()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Edge:
    def __init__(self, binary, data):
        self.binary, self.data = binary, data
        self.port, self.admin = free_port(), free_port()
        self.proc = None
        self.started_at = None

    def start(self, wait=True):
        env = dict(os.environ, EDGE_ADMIN_TOKEN=TOKEN)
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [self.binary, "--data", self.data, "--port", str(self.port), "--admin-port", str(self.admin)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if wait:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    self.api("GET", "/api/health")
                    return
                except OSError:
                    time.sleep(0.02)
            raise RuntimeError("edge did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)

    def api(self, method, path, body=None):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.admin}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read().decode()}") from None

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def create(self, name, path, code):
        return self.api("POST", "/api/endpoints",
                        {"name": name, "path": path, "method": "GET", "domain": "*", "code": code})["data"]["id"]

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0


def hello(i, salt=""):
    return ("record Reply(int Endpoint, string Message);\n"
            f"Response Handle(Context ctx, Request req) => Response.Ok(new Reply({i}, \"hello{salt}\"));")


def restart(binary, n=50):
    data = tempfile.mkdtemp(prefix="edge-restart-")
    edge = Edge(binary, data)
    try:
        edge.start()
        for i in range(n):
            eid = edge.create(f"e{i}", f"/e/{i}", hello(i))
            edge.api("POST", f"/api/endpoints/{eid}/deploy")
        assert all(edge.get(f"/e/{i}")[0] == 200 for i in range(n))
        edge.stop()

        cache = os.path.join(data, "cache")
        before = {f: os.stat(os.path.join(cache, f)).st_mtime_ns for f in os.listdir(cache)}
        edge.start(wait=False)
        pending = set(range(n))
        while pending and time.monotonic() - edge.started_at < 30:
            for i in list(pending):
                try:
                    if edge.get(f"/e/{i}")[0] == 200:
                        pending.discard(i)
                except OSError:
                    break
            time.sleep(0.005)
        serving_after = time.monotonic() - edge.started_at
        after = {f: os.stat(os.path.join(cache, f)).st_mtime_ns for f in os.listdir(cache)}
        rewritten = sum(1 for f, t in after.items() if before.get(f) != t)
        stats = edge.api("GET", "/api/stats")["data"]
        return {"endpoints": n, "all_serving_after_s": round(serving_after, 3), "still_failing": len(pending),
                "cache_files_rewritten": rewritten, "endpoints_running": stats["endpoints_running"]}
    finally:
        edge.stop()
        shutil.rmtree(data, ignore_errors=True)


def swaps(binary, count=20, duration=15):
    data = tempfile.mkdtemp(prefix="edge-swaps-")
    edge = Edge(binary, data)
    try:
        edge.start()
        eid = edge.create("swap", "/swap", hello(0, "-0"))
        edge.api("POST", f"/api/endpoints/{eid}/deploy")
        wrk = subprocess.Popen(["wrk", "-t1", "-c32", f"-d{duration}s", f"http://127.0.0.1:{edge.port}/swap"],
                               stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)
        gap = (duration - 3) / count
        for k in range(1, count + 1):
            edge.api("PUT", f"/api/endpoints/{eid}", {"code": hello(0, f"-{k}")})
            edge.api("POST", f"/api/endpoints/{eid}/deploy")
            time.sleep(gap)
        out = wrk.communicate()[0]
        non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
        sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        socket_errors = sum(map(int, sock.groups())) if sock else 0
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        last = edge.get("/swap")[1].decode()
        return {"swaps": count, "requests_per_s": rps, "non_2xx": non2xx, "socket_errors": socket_errors,
                "serving_after": last}
    finally:
        edge.stop()
        shutil.rmtree(data, ignore_errors=True)


def redeploys(binary, count=600):
    data = tempfile.mkdtemp(prefix="edge-redeploys-")
    edge = Edge(binary, data)
    try:
        edge.start()
        eid = edge.create("churn", "/churn", hello(0, "-0"))
        samples = {}
        for k in range(1, count + 1):
            edge.api("PUT", f"/api/endpoints/{eid}", {"code": hello(0, f"-{k}")})
            edge.api("POST", f"/api/endpoints/{eid}/deploy")
            for _ in range(5):
                status, body = edge.get("/churn")
                assert status == 200 and f"hello-{k}".encode() in body, (status, body)
            if k in (1, 100, 200, 300, 400, 500, count):
                samples[k] = round(edge.rss_mb(), 1)
        stats = edge.api("GET", "/api/stats")["data"]
        return {"redeploys": count, "rss_mb": samples, "growth_after_100_mb": round(samples[count] - samples[100], 1),
                "contexts_alive": stats["contexts_alive"], "unloaded_total": stats["unloaded_total"],
                "managed_heap_mb": round(stats["managed_heap_bytes"] / 1048576, 1)}
    finally:
        edge.stop()
        shutil.rmtree(data, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", default="all", choices=["restart", "swaps", "redeploys", "all"])
    parser.add_argument("--binary")
    args = parser.parse_args()
    binary = args.binary
    if not binary:
        out = os.path.join(ROOT, "bench", "results", "edge")
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, "edge.csproj"), "-c", "Release", "-r", "linux-x64",
                        "-p:PublishSingleFile=true", "-o", out], check=True, stdout=subprocess.DEVNULL)
        binary = os.path.join(out, "edge")
    results = {}
    if args.what in ("restart", "all"):
        results["restart"] = restart(binary)
        print("restart  ", json.dumps(results["restart"]), flush=True)
    if args.what in ("swaps", "all"):
        results["swaps"] = swaps(binary)
        print("swaps    ", json.dumps(results["swaps"]), flush=True)
    if args.what in ("redeploys", "all"):
        results["redeploys"] = redeploys(binary)
        print("redeploys", json.dumps(results["redeploys"]), flush=True)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    with open(os.path.join(ROOT, "bench", "results", f"lifecycle-{stamp}.json"), "w") as f:
        json.dump(results, f, indent=2)
    ok = True
    if "restart" in results:
        r = results["restart"]
        ok &= r["still_failing"] == 0 and r["cache_files_rewritten"] == 0
    if "swaps" in results:
        ok &= results["swaps"]["non_2xx"] == 0 and results["swaps"]["socket_errors"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
