#!/usr/bin/env python3
"""Where a request's CPU goes in the running gateway: perf samples per thousand requests, by frame.

Starts the framework-dependent build (bin/Release/net10.0/edge.dll, so the runtime's own libraries have symbols) with
DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 (JIT-compiled frames get names), deploys a plain hello and
a hello with auth api_key + rate_limit by key (the bench/policies.py "keyed" endpoint), and for each target runs wrk
while `perf record -g` samples the process. Then prints, per target, the samples per 1,000 requests in frames whose
names contain each --frame text (inclusive: the frame or anything it called), and the leaf frames that grew most from
the first target to the second. Sampling inflates every cost a little; compare targets, not absolute figures.

Needs perf (Debian: linux-perf) and wrk. Usage:
  dotnet build edge.csproj -c Release
  python3 bench/profile.py [--seconds 10] [--targets plain,keyed] [--frame TEXT ...]
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time

from benchlib import ROOT, Edge, log, wrk

HELLO = 'Response Handle(Context ctx, Request req) => Response.Text(200, "hello");'
DEFAULT_FRAMES = ["<ServeAsync>", "EndpointAuthorizer::Check", "EndpointPolicies::AdmitAsync", "WriteResponseHeaders",
                  "LowercaseHeaderWriter::Scan"]


def stacks(data):
    """Each sample's frames, leaf first, with JIT tier and offset suffixes removed."""
    text = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True, check=True).stdout
    for block in text.split("\n\n"):
        lines = block.strip().split("\n")[1:]
        if not lines:
            continue
        frames = []
        for line in lines:
            m = re.match(r"\s*\S+\s+(.*?)\s+\((\S+)\)$", line)
            frames.append(re.sub(r"\[(Optimized|QuickJitted|Instrumented).*|\+0x[0-9a-f]+$", "", m.group(1) if m else line.strip()))
        yield frames


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--targets", default="plain,keyed")
    parser.add_argument("--frame", action="append", help="a frame name fragment to total (repeatable)")
    args = parser.parse_args()
    frames = args.frame or DEFAULT_FRAMES

    dll = os.path.join(ROOT, "bin", "Release", "net10.0", "edge.dll")
    if not os.path.exists(dll):
        raise SystemExit(f"{dll} is missing: run 'dotnet build edge.csproj -c Release' first")
    work = tempfile.mkdtemp(prefix="edge-profile.")
    launcher = os.path.join(work, "edge")
    with open(launcher, "w") as out:
        out.write(f'#!/bin/sh\nexec dotnet "{dll}" "$@"\n')
    os.chmod(launcher, 0o755)
    os.environ.update(DOTNET_PerfMapEnabled="1", DOTNET_EnableWriteXorExecute="0")

    edge = Edge(launcher)
    try:
        base = f"http://127.0.0.1:{edge.port}"
        edge.endpoint("plain", "/plain", HELLO)
        keyed = edge.api("POST", "/api/endpoints", {"name": "keyed", "method": "GET", "path": "/keyed", "domain": "*", "code": HELLO,
                                                    "auth": "api_key", "rate_limit": {"permits": 1000000, "window_seconds": 1, "key": "api_key"}})
        edge.api("POST", f"/api/endpoints/{keyed['id']}/deploy")
        key = edge.api("POST", "/api/keys", {"name": "profile", "scopes": [f"endpoint:{keyed['id']}"]})["key"]
        headers = [f"X-API-Key: {key}"]
        targets = args.targets.split(",")
        for target in targets:
            wrk(f"{base}/{target}", 5, headers=headers)  # warm-up: JIT tiers

        results = {}
        for target in targets:
            data = os.path.join(work, f"{target}.data")
            perf = subprocess.Popen(["perf", "record", "-F", "1999", "-g", "-p", str(edge.proc.pid), "-o", data, "--",
                                     "sleep", str(args.seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            run = wrk(f"{base}/{target}", args.seconds, headers=headers)
            perf.wait()
            time.sleep(1)
            requests = run["rps"] * args.seconds
            samples = list(stacks(data))
            results[target] = (samples, requests)
            log(f"{target}: {run['rps']:.0f} req/s under perf, {len(samples)} samples")
    finally:
        edge.stop()

    print(f"\nsamples per 1,000 requests (perf at 1999 Hz: one sample is ~0.5 ms of CPU), {args.seconds} s per target")
    for target, (samples, requests) in results.items():
        print(f"  {target}: all {1000 * len(samples) / requests:.2f}")
        for name in frames:
            hits = sum(1 for frames_ in samples if any(name in f for f in frames_))
            print(f"    {name}: {1000 * hits / requests:.2f}")
    if len(targets) >= 2:
        (a, (sa, ra)), (b, (sb, rb)) = list(results.items())[:2]
        la = {k: 1000 * v / ra for k, v in collections.Counter(s[0] for s in sa).items()}
        lb = {k: 1000 * v / rb for k, v in collections.Counter(s[0] for s in sb).items()}
        grown = sorted(set(la) | set(lb), key=lambda k: lb.get(k, 0) - la.get(k, 0), reverse=True)
        print(f"\nleaf frames that grew most from {a} to {b} (samples per 1,000 requests)")
        for k in grown[:20]:
            print(f"  {lb.get(k, 0) - la.get(k, 0):+6.2f}  {la.get(k, 0):6.2f} -> {lb.get(k, 0):6.2f}  {k[-140:]}")


if __name__ == "__main__":
    sys.exit(main())
