#!/usr/bin/env python3
"""HTTPS hello through the real, published edge binary against bare Kestrel HTTPS, same run, same certificate.

edge runs with --tls-cert/--tls-key and one GET /hello endpoint (Response.Ok(new { message = "hello" }));
BareHttps answers the same bytes straight from Kestrel with the same TLS settings. wrk (HTTP/1.1 over TLS,
keep-alive connections, so the figure is the per-request cost with TLS on, not handshakes) alternates the
targets every round, order rotating. A handshake figure follows: new TLS connections per second (curl in a loop,
one connection each) for both.

Usage: python3 bench/https.py [--rounds N] [--duration S] [--skip-publish]
Writes bench/results/https-<UTC timestamp>.json.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import BENCH, RESULTS, Edge, compare, free_port, log, publish_edge, wait_http

HELLO = 'Response Handle(Context ctx, Request req) => Response.Ok(new { message = "hello" });'


def make_certificate(folder):
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def handshakes(url, seconds=5):
    """New TLS connections per second: one curl per request, no reuse."""
    count, deadline = 0, time.monotonic() + seconds
    started = time.monotonic()
    while time.monotonic() < deadline:
        subprocess.run(["curl", "-sk", "-o", "/dev/null", "--http1.1", url], check=True)
        count += 1
    return count / (time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--skip-publish", action="store_true")
    args = parser.parse_args()

    edge_bin = publish_edge(args.skip_publish)
    bare_dir = os.path.join(RESULTS, "BareHttps")
    bare_dll = os.path.join(bare_dir, "BareHttps.dll")
    if not args.skip_publish or not os.path.exists(bare_dll):
        log("publishing BareHttps")
        subprocess.run(["dotnet", "publish", os.path.join(BENCH, "BareHttps", "BareHttps.csproj"), "-c", "Release", "-o", bare_dir,
                        "--nologo", "-v:q"], check=True, stdout=sys.stderr)

    folder = tempfile.mkdtemp(prefix="edge-bench-https.")
    cert, key = make_certificate(folder)
    edge = Edge(edge_bin, extra_args=["--tls-cert", cert, "--tls-key", key])
    bare_port = free_port()
    bare = subprocess.Popen(["dotnet", bare_dll, str(bare_port), cert, key], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        edge.endpoint("hello", "/hello", HELLO)
        urls = {"edge": f"https://127.0.0.1:{edge.port}/hello", "bare": f"https://127.0.0.1:{bare_port}/hello"}
        for target, url in urls.items():
            deadline = time.monotonic() + 60
            while subprocess.run(["curl", "-sk", url], capture_output=True, text=True).stdout != '{"message":"hello"}':
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{target} does not answer the hello bytes at {url}")
                time.sleep(0.2)
        result = compare("https", urls, args.rounds, args.duration)
        shakes = {t: handshakes(u) for t, u in urls.items()}
        print(f"\nHTTPS hello (HTTP/1.1 over TLS 1.3, keep-alive), {args.rounds} rounds x {args.duration} s")
        for t in urls:
            print(f"  {t:5} median {result['median_rps'][t]:9.0f} req/s   new connections {shakes[t]:6.0f}/s (curl, one each)")
        print(f"  ratio edge/bare {result['ratio']:.3f} (goal >= 0.85)   failures {result['failures']}")
        os.makedirs(RESULTS, exist_ok=True)
        path = os.path.join(RESULTS, time.strftime("https-%Y%m%dT%H%M%SZ.json", time.gmtime()))
        with open(path, "w") as f:
            json.dump({**result, "handshakes_per_second": shakes}, f, indent=2)
        log(f"wrote {path}")
        if result["failures"]:
            sys.exit(1)
    finally:
        bare.terminate()
        bare.wait(10)
        edge.stop()


if __name__ == "__main__":
    main()
