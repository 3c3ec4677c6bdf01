#!/usr/bin/env python3
"""WebSocket echo through a handler of the real, published edge binary, against a bare Kestrel echo, same run.

Both targets echo every message whole with its type; edge runs it as a compiled handler
(Response.WebSocket + ReceiveAsync/SendTextAsync), BareWebSocket straight on ASP.NET Core's WebSocket
middleware. The load client (WsLoad) keeps CONNECTIONS sockets each doing send-then-wait-for-the-echo
round trips of a MESSAGE_BYTES text message; the targets alternate every round, order rotating.

Usage: python3 bench/websocket.py [--rounds N] [--duration S] [--connections C] [--size BYTES] [--skip-publish]
Writes bench/results/websocket-<UTC timestamp>.json.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from benchlib import BENCH, RESULTS, Edge, free_port, log, publish_edge, wait_http

ECHO_HANDLER = """
Response Handle(Context ctx, Request req) => Response.WebSocket(async ws =>
{
    while (await ws.ReceiveAsync() is { } message)
    {
        if (message.IsText)
        {
            await ws.SendTextAsync(message.Text!);
        }
        else
        {
            await ws.SendBinaryAsync(message.Data);
        }
    }
});
"""


def publish(skip):
    edge = publish_edge(skip)
    dlls = {}
    for name in ("BareWebSocket", "WsLoad"):
        out = os.path.join(RESULTS, name)
        dlls[name] = os.path.join(out, name + ".dll")
        if not skip or not os.path.exists(dlls[name]):
            log(f"publishing {name}")
            subprocess.run(["dotnet", "publish", os.path.join(BENCH, name, name + ".csproj"), "-c", "Release", "-o", out,
                            "--nologo", "-v:q"], check=True, stdout=sys.stderr)
    return edge, dlls["BareWebSocket"], dlls["WsLoad"]


def load(client, url, connections, seconds, size):
    out = subprocess.run(["dotnet", client, url, str(connections), str(seconds), str(size)],
                         capture_output=True, text=True, timeout=seconds + 120)
    if out.returncode != 0:
        raise RuntimeError(f"WsLoad {url} failed ({out.returncode}): {out.stdout} {out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--skip-publish", action="store_true")
    args = parser.parse_args()

    edge_bin, bare_dll, client = publish(args.skip_publish)
    edge = Edge(edge_bin)
    bare_port = free_port()
    bare = subprocess.Popen(["dotnet", bare_dll, "--urls", f"http://127.0.0.1:{bare_port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{bare_port}/echo")
        edge.endpoint("bench-echo", "/echo", ECHO_HANDLER)
        urls = {"edge": f"ws://127.0.0.1:{edge.port}/echo", "bare": f"ws://127.0.0.1:{bare_port}/echo"}
        for target, url in urls.items():
            load(client, url, args.connections, 3, args.size)  # warm-up: JIT tiers, pools
        runs = {t: [] for t in urls}
        for r in range(args.rounds):
            order = list(urls) if r % 2 == 0 else list(reversed(urls))
            for target in order:
                result = load(client, urls[target], args.connections, args.duration, args.size)
                runs[target].append(result)
                log(f"round {r + 1} {target:5}: {result['messages_per_second']:9.0f} msg/s  "
                    f"p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  errors {result['errors']}")
        med = {t: statistics.median(x["messages_per_second"] for x in v) for t, v in runs.items()}
        p99 = {t: statistics.median(x["p99_ms"] for x in v) for t, v in runs.items()}
        ratio = med["edge"] / med["bare"]
        print(f"\nWebSocket echo, {args.connections} connections, {args.size}-byte text messages, "
              f"{args.rounds} rounds x {args.duration:g} s")
        for t in urls:
            print(f"  {t:5} median {med[t]:9.0f} msg/s   p99 (median of rounds) {p99[t]:.2f} ms")
        print(f"  ratio edge/bare {ratio:.3f} (goal >= 0.85)")
        os.makedirs(RESULTS, exist_ok=True)
        path = os.path.join(RESULTS, time.strftime("websocket-%Y%m%dT%H%M%SZ.json", time.gmtime()))
        with open(path, "w") as f:
            json.dump({"connections": args.connections, "size": args.size, "rounds": args.rounds,
                       "duration": args.duration, "runs": runs, "median_mps": med, "ratio": ratio}, f, indent=2)
        log(f"wrote {path}")
    finally:
        bare.terminate()
        bare.wait(10)
        edge.stop()


if __name__ == "__main__":
    main()
