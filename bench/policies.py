#!/usr/bin/env python3
"""Traffic policies on the real, published edge binary, same run.

(a) rate-limit cost: a hello endpoint with rate_limit (permits so large nothing is refused, key ip) and one with
    auth api_key plus rate_limit keyed by that verified key, against the same hello without either, alternated every
    round; every request carries the same X-API-Key header; the ratios limited/plain and keyed/plain (goal: cost < 3%);
    "keyed-always" is keyed with rate_limit.headers "always" (RateLimit-* on every response, not only on 429s),
    in req/s and in the edge process's CPU time per request (user + system, /proc/<pid>/stat), which the noise of a
    shared machine moves far less than req/s.
(b) flood figure: p99 latency of a fast hello endpoint unloaded against its p99 while wrk floods a slow endpoint
    (handler waits SLOW_MS) whose max_concurrency is saturated; rounds alternate unloaded/flooded (goal: within 2x).
    Two floods: "queued" (the queue holds every flooding connection: requests wait, then time out with 503) and
    "rejecting" (a small queue: most flood requests get an immediate 503, the gateway answers as fast as wrk asks).

Usage: python3 bench/policies.py [--rounds N] [--duration S] [--skip-publish] [--skip-flood] [--cost limited,keyed,keyed-always]
Writes bench/results/policies-<UTC timestamp>.json.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import time

from benchlib import RESULTS, Edge, compare, log, publish_edge

HELLO = 'Response Handle(Context ctx, Request req) => Response.Text(200, "hello");'
SLOW = """
async Task<Response> Handle(Context ctx, Request req)
{
    await Task.Delay(300, ctx.RequestAborted);
    return Response.Text(200, "slow");
}
"""
FLOOD_CONNECTIONS = 64
FAST_CONNECTIONS = 2
SCENARIOS = {
    "queued": {"max_concurrency": 2, "queue_limit": FLOOD_CONNECTIONS, "queue_timeout_ms": 1000},
    "rejecting": {"max_concurrency": 2, "queue_limit": 2, "queue_timeout_ms": 1000},
}


def endpoint(edge, name, path, code, fields=None):
    created = edge.api("POST", "/api/endpoints", {"name": name, "method": "GET", "path": path, "domain": "*", "code": code, **(fields or {})})
    edge.api("POST", f"/api/endpoints/{created['id']}/deploy")


def ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url, duration, connections):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         check=True, capture_output=True, text=True).stdout
    return parse(out)


def parse(out):
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99_ms": ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "non2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def fast_under_flood(fast_url, slow_url, duration):
    flood = subprocess.Popen(["wrk", "-t1", f"-c{FLOOD_CONNECTIONS}", f"-d{duration + 2}s", "--latency", slow_url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # the slow endpoint's slots and queue fill first
    fast = run_wrk(fast_url, duration, FAST_CONNECTIONS)
    out, _ = flood.communicate(timeout=duration + 60)
    return fast, parse(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--skip-publish", action="store_true")
    parser.add_argument("--skip-flood", action="store_true", help="only the cost figures")
    parser.add_argument("--cost", default="limited,keyed", help="which cost comparisons to run: limited, keyed, keyed-always (comma-separated)")
    args = parser.parse_args()

    edge = Edge(publish_edge(args.skip_publish))
    try:
        base = f"http://127.0.0.1:{edge.port}"
        endpoint(edge, "plain", "/plain", HELLO)
        endpoint(edge, "limited", "/limited", HELLO, {"rate_limit": {"permits": 1000000, "window_seconds": 1, "key": "ip"}})
        keyed_ids = []
        for name, headers in (("keyed", "refused"), ("keyed-always", "always")):
            keyed_ids.append(edge.api("POST", "/api/endpoints", {
                "name": name, "method": "GET", "path": "/" + name, "domain": "*", "code": HELLO, "auth": "api_key",
                "rate_limit": {"permits": 1000000, "window_seconds": 1, "key": "api_key", "headers": headers}})["id"])
            edge.api("POST", f"/api/endpoints/{keyed_ids[-1]}/deploy")
        key = edge.api("POST", "/api/keys", {"name": "bench", "scopes": [f"endpoint:{i}" for i in keyed_ids]})["key"]
        endpoint(edge, "fast", "/fast", HELLO)
        for name, fields in SCENARIOS.items():
            endpoint(edge, f"slow-{name}", f"/slow-{name}", SLOW, fields)

        # (a) rate-limit cost, alternated rounds.
        # Two targets per comparison (with three, one always runs in the middle of a round); every request carries the
        # same X-API-Key header, which only the keyed endpoint checks.
        headers = [f"X-API-Key: {key}"]
        pid = edge.proc.pid
        costs = {}
        for target in args.cost.split(","):
            if target not in ("limited", "keyed", "keyed-always"):
                raise SystemExit(f"--cost: unknown comparison '{target}' (limited, keyed, keyed-always)")
            costs[target] = compare(target, {target: f"{base}/{target}", "plain": base + "/plain"}, args.rounds, args.duration, headers=headers, pid=pid)

        # (b) flood figure: unloaded and flooded measurements alternate, per scenario.
        flood = {}
        if not args.skip_flood:
            run_wrk(base + "/fast", 3, FAST_CONNECTIONS)  # warm-up
        for name in [] if args.skip_flood else SCENARIOS:
            runs = {"unloaded": [], "flooded": [], "flood": []}
            for r in range(args.rounds):
                unloaded = run_wrk(base + "/fast", args.duration, FAST_CONNECTIONS)
                flooded, slow = fast_under_flood(base + "/fast", f"{base}/slow-{name}", args.duration)
                runs["unloaded"].append(unloaded)
                runs["flooded"].append(flooded)
                runs["flood"].append(slow)
                log(f"flood {name} round {r + 1}: fast p99 unloaded {unloaded['p99_ms']:.3f} ms, flooded {flooded['p99_ms']:.3f} ms "
                    f"({unloaded['rps']:.0f} -> {flooded['rps']:.0f} req/s, non-2xx {flooded['non2xx']}); "
                    f"flood {slow['rps']:.0f} req/s, {slow['non2xx']} of {slow['requests']} refused")
            p99 = {k: statistics.median(x["p99_ms"] for x in runs[k]) for k in ("unloaded", "flooded")}
            flood[name] = {"runs": runs, "median_p99_ms": p99, "ratio": p99["flooded"] / p99["unloaded"],
                           "fast_failures": sum(x["non2xx"] for x in runs["flooded"] + runs["unloaded"])}

        print(f"\npolicy cost, {args.rounds} rounds x {args.duration:g} s, 64 connections")
        labels = {"limited": "limited (rate limit by ip)", "keyed": "keyed (api key + rate limit by key)",
                  "keyed-always": "keyed-always (the same, RateLimit-* on every response)"}
        for target, c in costs.items():
            label, first = labels[target], target
            print(f"  {label}: median {c['median_rps'][first]:.0f} vs plain {c['median_rps']['plain']:.0f} req/s: ratio of medians "
                  f"{c['ratio']:.3f}, median paired ratio {c['paired_ratio']:.3f} (95% interval {c['paired_ratio_ci95'][0]:.3f}-"
                  f"{c['paired_ratio_ci95'][1]:.3f}; goal: cost < 3%); failures {c['failures']}")
            cpu = c["median_server_cpu_us"]
            print(f"    edge CPU per request: {cpu[first]:.2f} vs {cpu['plain']:.2f} µs: ratio {c['server_cpu_ratio']:.3f}, "
                  f"median paired ratio {c['paired_server_cpu_ratio']:.3f}")
        for name, f in flood.items():
            print(f"flood '{name}' ({SCENARIOS[name]}), fast endpoint p99 (median of rounds): unloaded "
                  f"{f['median_p99_ms']['unloaded']:.3f} ms, flooded {f['median_p99_ms']['flooded']:.3f} ms: "
                  f"x{f['ratio']:.2f} (goal <= 2); fast non-2xx {f['fast_failures']}")
        os.makedirs(RESULTS, exist_ok=True)
        path = os.path.join(RESULTS, time.strftime("policies-%Y%m%dT%H%M%SZ.json", time.gmtime()))
        with open(path, "w") as out:
            json.dump({"rounds": args.rounds, "duration": args.duration, "costs": costs, "flood": flood,
                       "scenarios": SCENARIOS}, out, indent=2)
        log(f"wrote {path}")
    finally:
        edge.stop()


if __name__ == "__main__":
    main()
