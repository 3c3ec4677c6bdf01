#!/usr/bin/env python3
"""SSE fan-out through the message bus on the real, published edge binary.

N clients (default 1,000) hold `GET /bench/feed` open: a handler that subscribes to bus topic "bench" with
ctx.Bus.SubscribeAsync and forwards every message as a server-sent event. Once the gateway counts N subscribers,
`GET /bench/publish?m=...` (a handler calling ctx.Bus.PublishAsync) is sent P times (default 20), one at a time;
each message carries its sequence number and the client's monotonic clock just before the publish request was
written. Every subscriber notes when the event reached it: delivery latency = receipt - publish send, so it covers
the publish request, the fan-out, 1,000 SSE writes and the client's own reading (an upper bound on edge's part).

The clients are plain asyncio sockets (one protocol object per connection, no HTTP library), so 1,000 of them
cost little of the 2 cores; the publisher shares their event loop and never blocks it.

With --redis, two edge processes run with `--bus redis:bench-bus` against the Redis of scripts/services.sh: the
subscribers hold their feeds on instance B and the publishes go to instance A, so every event crosses Redis.

Usage: python3 bench/sse_fanout.py [--subscribers N] [--publishes P] [--gap-ms G] [--redis] [--skip-publish] [--binary PATH]
Writes bench/results/sse-fanout-<UTC timestamp>.json; exits non-zero when an event is lost or p99 >= 100 ms.
"""
import argparse
import asyncio
import json
import os
import resource
import statistics
import time

from benchlib import RESULTS, Edge, log, publish_edge

FEED = """
Response Handle(Context ctx, Request req) => Response.EventStream(async (events, ct) =>
{
    await foreach (var message in ctx.Bus.SubscribeAsync("bench", ct))
    {
        await events.SendAsync(message);
    }
});
"""

PUBLISH = """
async Task<Response> Handle(Context ctx, Request req) =>
    Response.Ok(new { reached = await ctx.Bus.PublishAsync("bench", req.RequireQueryParam("m")) });
"""

TARGET_P99_MS = 100.0


class Subscriber(asyncio.Protocol):
    """One SSE connection. PERF: the callback only timestamps and keeps the bytes (the client's own time per read
    adds to every later socket's latency); the events are parsed after the run."""

    delivered = 0

    def __init__(self):
        self.chunks = []
        self.ready = asyncio.get_running_loop().create_future()

    def data_received(self, data):
        self.chunks.append((time.monotonic_ns(), data))
        Subscriber.delivered += data.count(b"data: ")
        if not self.ready.done():
            self.ready.set_result(None)

    def connection_lost(self, exc):
        pass

    def latencies(self, received):
        """Adds (seq -> latency ns) of every event this connection got; checks the answer was a 200 event stream."""
        head = self.chunks[0][1].split(b"\r\n", 1)[0] if self.chunks else b"nothing"
        if b" 200 " not in head:
            raise RuntimeError(f"feed answered {head!r}")
        buffer, times = b"", []
        for at, data in self.chunks:
            buffer += data
            while (start := buffer.find(b"data: ")) >= 0:
                end = buffer.find(b"\n", start)
                if end < 0:
                    break
                seq, sent = buffer[start + 6:end].split()
                received.setdefault(int(seq), []).append(at - int(sent))
                buffer = buffer[end + 1:]


async def publish(port, seq):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = time.monotonic_ns()
    writer.write(f"GET /bench/publish?m={seq}%20{sent} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
    answer = await reader.read()
    writer.close()
    status = answer.split(b"\r\n", 1)[0]
    if b" 200 " not in status:
        raise RuntimeError(f"publish answered {answer[:300]!r}")
    return json.loads(answer.split(b"\r\n\r\n", 1)[1].split(b"\r\n")[1] if b"chunked" in answer.lower() else answer.split(b"\r\n\r\n", 1)[1])["reached"]


async def run(edge, publisher, subscribers, publishes, gap_ms):
    loop = asyncio.get_running_loop()
    received = {}
    clients = []
    Subscriber.delivered = 0
    request = b"GET /bench/feed HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n"
    opened = time.monotonic()
    for batch in range(0, subscribers, 100):
        made = await asyncio.gather(*(loop.create_connection(Subscriber, "127.0.0.1", edge.port)
                                      for _ in range(min(100, subscribers - batch))))
        for transport, protocol in made:
            transport.write(request)
            clients.append((transport, protocol))
        await asyncio.gather(*(p.ready for _, p in clients[-len(made):]))
    deadline = time.monotonic() + 30
    while (count := edge.api("GET", "/api/stats")["bus"]["subscribers"]) < subscribers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {count} of {subscribers} subscribers after 30 s")
        await asyncio.sleep(0.05)
    log(f"{subscribers} subscribers connected in {time.monotonic() - opened:.1f} s")

    for seq in range(-3, publishes):  # three warm-up publishes (negative numbers) are not counted
        reached = await publish(publisher.port, seq)
        if publisher is edge and reached != subscribers:
            raise RuntimeError(f"publish {seq} reached {reached} subscribers, expected {subscribers}")
        expected = (seq + 4) * subscribers
        wait_until = time.monotonic() + 5
        while Subscriber.delivered < expected and time.monotonic() < wait_until:
            await asyncio.sleep(0.005)
        await asyncio.sleep(gap_ms / 1000)

    for transport, _ in clients:
        transport.close()
    for _, protocol in clients:
        protocol.latencies(received)
    for seq in range(publishes):
        got = received.get(seq, [])
        log(f"publish {seq:2}: {len(got)}/{subscribers} delivered, max {max(got) / 1e6 if got else float('nan'):.1f} ms")
    deadline = time.monotonic() + 30
    while (left := edge.api("GET", "/api/stats")["bus"]["subscribers"]) > 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)

    samples = sorted(ms / 1e6 for seq, values in received.items() if seq >= 0 for ms in values)
    per_publish_max = [max(received[seq]) / 1e6 for seq in range(publishes) if received.get(seq)]
    lost = subscribers * publishes - len(samples)

    def pct(p):
        return samples[min(len(samples) - 1, int(round(p / 100 * len(samples) + 0.5)) - 1)] if samples else float("nan")

    return {
        "subscribers": subscribers,
        "publishes": publishes,
        "deliveries": len(samples),
        "lost": lost,
        "p50_ms": round(pct(50), 2),
        "p90_ms": round(pct(90), 2),
        "p99_ms": round(pct(99), 2),
        "max_ms": round(samples[-1], 2) if samples else None,
        "mean_ms": round(statistics.fmean(samples), 2) if samples else None,
        "per_publish_last_delivery_ms": [round(x, 2) for x in per_publish_max],
        "subscribers_left_after_close": left,
        "target_p99_ms": TARGET_P99_MS,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--gap-ms", type=int, default=200)
    parser.add_argument("--redis", action="store_true", help="two instances bridged through Redis")
    parser.add_argument("--skip-publish", action="store_true")
    parser.add_argument("--binary")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the clients' sockets, and edge inherits it
    binary = args.binary or publish_edge(args.skip_publish)
    edges = []
    try:
        if args.redis:
            from services import load_env
            env = load_env()
            config = {"host": env["REDIS_HOST"], "port": int(env["REDIS_PORT"]), "password": env["REDIS_PASSWORD"]}
            for _ in range(2):
                edges.append(Edge(binary, ["--bus", "redis:bench-bus"]))
                edges[-1].service("bench-bus", "redis", config)
            for e in edges:
                deadline = time.monotonic() + 20
                while not (e.api("GET", "/api/stats")["bus"]["bridge"] or {}).get("connected"):
                    if time.monotonic() > deadline:
                        raise RuntimeError("the bus bridge did not connect within 20 s")
                    time.sleep(0.1)
            publisher, edge = edges
        else:
            edges.append(Edge(binary))
            publisher = edge = edges[0]
        edge.endpoint("bench-feed", "/bench/feed", FEED)
        publisher.endpoint("bench-publish", "/bench/publish", PUBLISH)
        load_before = os.getloadavg()[0]
        cpu_before = os.times()
        report = asyncio.run(run(edge, publisher, args.subscribers, args.publishes, args.gap_ms))
        report["mode"] = "redis: publish on instance A, subscribers on instance B" if args.redis else "one instance"
        cpu_after = os.times()
        report["load_average_1m_before"] = round(load_before, 2)
        report["client_cpu_seconds"] = round((cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system), 2)
        report["bus_stats"] = edge.api("GET", "/api/stats")["bus"]
    finally:
        for e in edges:
            e.stop()

    log(f"SSE fan-out ({report['mode']}), {report['subscribers']} subscribers x {report['publishes']} publishes: "
        f"p50 {report['p50_ms']} ms  p90 {report['p90_ms']} ms  p99 {report['p99_ms']} ms  max {report['max_ms']} ms  "
        f"lost {report['lost']}  (goal p99 < {TARGET_P99_MS:.0f} ms; load average before {report['load_average_1m_before']})")
    os.makedirs(RESULTS, exist_ok=True)
    out = os.path.join(RESULTS, f"sse-fanout{'-redis' if args.redis else ''}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
    log(f"wrote {out}")
    print(json.dumps({k: v for k, v in report.items() if k != "per_publish_last_delivery_ms"}))
    return 0 if report["lost"] == 0 and report["p99_ms"] < TARGET_P99_MS and report["subscribers_left_after_close"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
