"""Shared pieces of the Python benchmarks: the published edge binary as a process, wrk runs, alternated comparisons."""
import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
RESULTS = os.path.join(BENCH, "results")
TOKEN = "bench-token-" + os.urandom(8).hex()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def publish_edge(skip):
    """The self-contained single-file edge binary under bench/results/edge (published unless skip and present)."""
    edge_dir = os.path.join(RESULTS, "edge")
    if not skip or not os.path.exists(os.path.join(edge_dir, "edge")):
        log("publishing edge (single file, self-contained)")
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, "edge.csproj"), "-c", "Release", "-r", "linux-x64",
                        "--self-contained", "true", "-p:PublishSingleFile=true", "-o", edge_dir, "--nologo", "-v:q"],
                       check=True, stdout=sys.stderr)
    return os.path.join(edge_dir, "edge")


class Edge:
    def __init__(self, binary, extra_args=()):
        self.data = tempfile.mkdtemp(prefix="edge-bench-services.")
        self.port, self.admin = free_port(), free_port()
        self.proc = subprocess.Popen(
            [binary, "--data", self.data, "--port", str(self.port), "--admin-port", str(self.admin), *extra_args],
            env=dict(os.environ, EDGE_ADMIN_TOKEN=TOKEN), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{self.admin}/api/health", {"Authorization": "Bearer " + TOKEN})

    def api(self, method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.admin}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                return json.loads(r.read())["data"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read().decode()}") from None

    def service(self, name, kind, config):
        service = self.api("POST", "/api/services", {"name": name, "service_type": kind, "config": config})
        probe = self.api("POST", f"/api/services/{service['id']}/test")
        if not probe["connected"]:
            raise RuntimeError(f"service {name} does not connect: {probe}")
        return service

    def endpoint(self, name, path, code):
        created = self.api("POST", "/api/endpoints", {"name": name, "method": "GET", "path": path, "domain": "*", "code": code})
        self.api("POST", f"/api/endpoints/{created['id']}/deploy")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def wait_http(url, headers=None, proc=None):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within 60 s")


def cpu_seconds(pid):
    """User plus system CPU time a process (all its threads, live and ended) has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, duration, connections=64, script=None, headers=(), pid=None):
    """One wrk run. With pid, also the CPU that process (the server) and wrk itself spent per request, in µs: on a
    machine whose cores the client shares, a per-request cost shows there with far less noise than in req/s."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        args += ["-s", script]
    for header in headers:
        args += ["-H", header]
    server_before = cpu_seconds(pid) if pid else 0.0
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(args + [url], check=True, capture_output=True, text=True).stdout
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = cpu_seconds(pid) if pid else 0.0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    result = {"rps": rps, "non2xx": non2xx, "socket_errors": errors, "p99": p99}
    if pid:
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        client = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
        result["server_cpu_us"] = (server_after - server_before) * 1e6 / requests
        result["client_cpu_us"] = client * 1e6 / requests
    return result


def median_ci95(values, resamples=4000):
    """A 95% bootstrap interval for the median of values (seeded: the same values give the same interval)."""
    rng = random.Random(1)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
    return [medians[int(resamples * 0.025)], medians[int(resamples * 0.975) - 1]]


def compare(name, urls, rounds, duration, script=None, headers=(), pid=None):
    """Alternates the targets every round (order rotating); medians, and the ratio of the first target to the second.
    headers (strings "Name: value") are sent with every request to every target. With pid (the server's, when every
    target is that one process), also the server's CPU per request and its ratio, first target to second."""
    runs = {target: [] for target in urls}
    for target, url in urls.items():
        wrk(url, 3, script=script, headers=headers)  # warm-up: JIT tiers, pools
    for r in range(rounds):
        order = list(urls) if r % 2 == 0 else list(reversed(urls))
        for target in order:
            result = wrk(urls[target], duration, script=script, headers=headers, pid=pid)
            runs[target].append(result)
            cpu = f"  server {result['server_cpu_us']:.2f} µs/req  wrk {result['client_cpu_us']:.2f} µs/req" if pid else ""
            log(f"{name} round {r + 1} {target:5}: {result['rps']:9.0f} req/s  p99 {result['p99']:>8}  "
                f"non-2xx {result['non2xx']}  socket errors {result['socket_errors']}{cpu}")
    med = {t: statistics.median(x["rps"] for x in v) for t, v in runs.items()}
    bad = sum(x["non2xx"] + x["socket_errors"] for v in runs.values() for x in v)
    first, second = list(urls)[:2]
    # Paired: the two targets of one round ran back to back, so their ratio cancels the machine's drift between rounds.
    ratios = [a["rps"] / b["rps"] for a, b in zip(runs[first], runs[second])]
    summary = {"runs": runs, "median_rps": med, "ratio": med[first] / med[second], "paired_ratio": statistics.median(ratios),
               "paired_ratio_ci95": median_ci95(ratios), "failures": bad}
    if pid:
        cpu = {t: statistics.median(x["server_cpu_us"] for x in v) for t, v in runs.items()}
        summary["median_server_cpu_us"] = cpu
        summary["server_cpu_ratio"] = cpu[first] / cpu[second]
        summary["paired_server_cpu_ratio"] = statistics.median(a["server_cpu_us"] / b["server_cpu_us"] for a, b in zip(runs[first], runs[second]))
    return summary
