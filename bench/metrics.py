#!/usr/bin/env python3
"""Cost of per-endpoint metrics on the real, published edge binary, same run.

Two processes of the same binary, one with --endpoint-metrics on (the default) and one with --endpoint-metrics off,
each serving the same hello endpoint; wrk measures them alternately every round; the ratio of the median
throughputs on/off is the cost (goal: cost < 2%). The metrics of the 'on' process are read back at the end, to show
they counted what wrk sent.

Usage: python3 bench/metrics.py [--rounds N] [--duration S] [--skip-publish]
Writes bench/results/metrics-<UTC timestamp>.json.
"""
import argparse
import json
import os
import time

from benchlib import RESULTS, Edge, compare, log, publish_edge

HELLO = 'Response Handle(Context ctx, Request req) => Response.Text(200, "hello");'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--skip-publish", action="store_true")
    args = parser.parse_args()

    binary = publish_edge(args.skip_publish)
    on = Edge(binary, ["--endpoint-metrics", "on"])
    off = Edge(binary, ["--endpoint-metrics", "off"])
    try:
        for edge in (on, off):
            edge.endpoint("hello", "/hello", HELLO)
        cost = compare("metrics", {"on": f"http://127.0.0.1:{on.port}/hello", "off": f"http://127.0.0.1:{off.port}/hello"},
                       args.rounds, args.duration)
        counted = on.api("GET", "/api/metrics?seconds=900")
        uncounted = off.api("GET", "/api/metrics?seconds=900")

        print(f"\nper-endpoint metrics cost, {args.rounds} rounds x {args.duration:g} s, 64 connections, hello endpoint")
        for t, v in cost["median_rps"].items():
            print(f"  metrics {t:3} median {v:9.0f} req/s")
        print(f"  ratio on/off {cost['ratio']:.3f}: cost {100 * (1 - cost['ratio']):.1f}% (goal < 2%); failures {cost['failures']}")
        print(f"  the 'on' process counted {counted[0]['requests']} requests in its window (p50 {counted[0]['p50_ms']} ms, "
              f"p99 {counted[0]['p99_ms']} ms); the 'off' one {uncounted[0]['requests']}")
        os.makedirs(RESULTS, exist_ok=True)
        path = os.path.join(RESULTS, time.strftime("metrics-%Y%m%dT%H%M%SZ.json", time.gmtime()))
        with open(path, "w") as out:
            json.dump({"rounds": args.rounds, "duration": args.duration, "cost": cost, "counted": counted, "uncounted": uncounted}, out, indent=2)
        log(f"wrote {path}")
    finally:
        on.stop()
        off.stop()


if __name__ == "__main__":
    main()
