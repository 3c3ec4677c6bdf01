#!/usr/bin/env python3
"""Service connector figures of the real, published edge binary, against real servers.

  pg          a handler doing one primary-key read from PostgreSQL through ctx.Database, against
              BareServices (bare Kestrel + Npgsql doing the same read), wrk alternated in one run
  redis       a handler doing one GET through ctx.Cache, against BareServices (Kestrel + StackExchange.Redis)
  limit       200 concurrent requests on an endpoint whose PostgreSQL service allows 10 in flight (the handler
              sleeps 50 ms in the database): how many fail, the slowest against the call timeout, and the
              most queries PostgreSQL itself saw at once (polled from pg_stat_activity)

Usage: python3 bench/services.py [--rounds N] [--duration S] [--skip-publish] [pg|redis|limit|all]
Starts the servers with scripts/services.sh start (settings from $EDGE_SERVICES_DIR/services.env).
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from benchlib import BENCH, RESULTS, Edge, compare, free_port, log, publish_edge, wait_http

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POOL = 32

PG_HANDLER = """
async Task<Response> Handle(Context ctx, Request req)
{
    var row = await ctx.Database("bench-pg").QueryOneAsync(
        "SELECT id, name, price FROM bench_items WHERE id = @id", new { id = int.Parse(req.PathParam("id")!) });
    return row is null ? Response.NotFound() : Response.Ok(row);
}
"""

REDIS_HANDLER = """
async Task<Response> Handle(Context ctx, Request req)
{
    var value = await ctx.Cache("bench-redis").GetAsync(req.PathParam("key")!);
    return value is null ? Response.NotFound() : Response.Text(200, value);
}
"""

SLOW_HANDLER = """
async Task<Response> Handle(Context ctx, Request req)
{
    var slept = await ctx.Database("bench-pg-limited").ScalarAsync<string>("SELECT pg_sleep(0.05)::text");
    return Response.Ok(new { slept = true });
}
"""

RANDOM_ID_LUA = """
request = function()
  return wrk.format("GET", "/pg/" .. math.random(1, 10000))
end
"""


def load_env():
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "services.sh"), "start"], check=True, stdout=subprocess.DEVNULL)
    path = os.path.join(os.environ.get("EDGE_SERVICES_DIR", "/tmp/edge-services"), "services.env")
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k[len("EDGE_TEST_"):]] = v
    return env


def psql(env, sql):
    return subprocess.run(
        ["psql", "-h", env["POSTGRES_HOST"], "-p", env["POSTGRES_PORT"], "-U", env["POSTGRES_USER"], "-d",
         env["POSTGRES_DATABASE"], "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
        env=dict(os.environ, PGPASSWORD=env["POSTGRES_PASSWORD"]), check=True, capture_output=True, text=True).stdout


def redis_cli(env, *args):
    return subprocess.run(["redis-cli", "-h", env["REDIS_HOST"], "-p", env["REDIS_PORT"], "-a", env["REDIS_PASSWORD"],
                           "--no-auth-warning", *args], check=True, capture_output=True, text=True).stdout


def seed(env):
    psql(env, """
        DROP TABLE IF EXISTS bench_items;
        CREATE TABLE bench_items (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL);
        INSERT INTO bench_items SELECT i, 'item ' || i, (i % 1000) / 10.0 FROM generate_series(1, 10000) i;
        ANALYZE bench_items;""")
    redis_cli(env, "SET", "bench:key", "v" * 100)


def publish(skip):
    edge = publish_edge(skip)
    bare_dir = os.path.join(RESULTS, "BareServices")
    if not skip or not os.path.exists(os.path.join(bare_dir, "BareServices.dll")):
        log("publishing BareServices")
        subprocess.run(["dotnet", "publish", os.path.join(BENCH, "BareServices", "BareServices.csproj"), "-c", "Release",
                        "-o", bare_dir, "--nologo", "-v:q"], check=True, stdout=sys.stderr)
    return edge, os.path.join(bare_dir, "BareServices.dll")


def limit_scenario(env, edge):
    """200 concurrent requests against a service limited to 10 in flight."""
    stop = threading.Event()
    peak = [0]

    def watch():
        while not stop.is_set():
            n = int(psql(env, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(0.05)%'").strip())
            peak[0] = max(peak[0], n)

    def one(_):
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{edge.port}/slow", timeout=60) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        return status, time.monotonic() - t0

    watcher = threading.Thread(target=watch)
    watcher.start()
    t0 = time.monotonic()
    with ThreadPoolExecutor(200) as pool:
        results = list(pool.map(one, range(200)))
    wall = time.monotonic() - t0
    stop.set()
    watcher.join()
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {"requests": 200, "statuses": statuses, "slowest_s": max(t for _, t in results), "wall_s": wall,
            "backend_peak_active": peak[0], "call_timeout_ms": 30000, "max_in_flight": 10}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", default="all", choices=["pg", "redis", "limit", "all"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--skip-publish", action="store_true")
    args = parser.parse_args()

    env = load_env()
    seed(env)
    edge_bin, bare_dll = publish(args.skip_publish)
    pg_config = {"host": env["POSTGRES_HOST"], "port": int(env["POSTGRES_PORT"]), "database": env["POSTGRES_DATABASE"],
                 "username": env["POSTGRES_USER"], "password": env["POSTGRES_PASSWORD"], "pool_size": POOL,
                 "ssl_mode": "disable"}
    redis_config = {"host": env["REDIS_HOST"], "port": int(env["REDIS_PORT"]), "password": env["REDIS_PASSWORD"]}

    edge = Edge(edge_bin)
    bare_port = free_port()
    bare = subprocess.Popen(
        ["dotnet", bare_dll, "--urls", f"http://127.0.0.1:{bare_port}"],
        env=dict(os.environ,
                 BENCH_PG=f"Host={env['POSTGRES_HOST']};Port={env['POSTGRES_PORT']};Database={env['POSTGRES_DATABASE']};"
                          f"Username={env['POSTGRES_USER']};Password={env['POSTGRES_PASSWORD']};Maximum Pool Size={POOL};SSL Mode=Disable",
                 BENCH_REDIS=f"{env['REDIS_HOST']}:{env['REDIS_PORT']},password={env['REDIS_PASSWORD']}"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rounds": args.rounds, "duration_s": args.duration}
    try:
        wait_http(f"http://127.0.0.1:{bare_port}/redis/bench:key")
        edge.service("bench-pg", "postgres", pg_config)
        edge.service("bench-redis", "redis", redis_config)
        edge.service("bench-pg-limited", "postgres", dict(pg_config, max_in_flight=10, max_queue=1000, call_timeout_ms=30000))
        edge.endpoint("bench-pg", "/pg/{id}", PG_HANDLER)
        edge.endpoint("bench-redis", "/redis/{key}", REDIS_HANDLER)
        edge.endpoint("bench-slow", "/slow", SLOW_HANDLER)
        lua = os.path.join(edge.data, "random-id.lua")
        with open(lua, "w") as f:
            f.write(RANDOM_ID_LUA)

        # Same bytes from both (checked once): the row as JSON, the value as text.
        for path in ("/pg/42", "/redis/bench:key"):
            a = urllib.request.urlopen(f"http://127.0.0.1:{edge.port}{path}").read()
            b = urllib.request.urlopen(f"http://127.0.0.1:{bare_port}{path}").read()
            log(f"{path}: edge {a[:80]!r}  bare {b[:80]!r}")

        if args.what in ("pg", "all"):
            report["pg"] = compare("pg", {"edge": f"http://127.0.0.1:{edge.port}", "bare": f"http://127.0.0.1:{bare_port}"},
                                   args.rounds, args.duration, script=lua)
        if args.what in ("redis", "all"):
            report["redis"] = compare("redis", {"edge": f"http://127.0.0.1:{edge.port}/redis/bench:key",
                                                "bare": f"http://127.0.0.1:{bare_port}/redis/bench:key"},
                                      args.rounds, args.duration)
        if args.what in ("limit", "all"):
            report["limit"] = limit_scenario(env, edge)
            report["limit"]["peak_in_flight_reported_by_edge"] = next(
                s for s in edge.api("GET", "/api/services") if s["name"] == "bench-pg-limited")["status"]["peak_in_flight"]
    finally:
        edge.stop()
        bare.terminate()
        bare.wait(10)

    print()
    for key in ("pg", "redis"):
        if key in report:
            r = report[key]
            print(f"{key:6} edge {r['median_rps']['edge']:9.0f} req/s   bare {r['median_rps']['bare']:9.0f} req/s   "
                  f"ratio {r['ratio']:.2f}   failures {r['failures']}")
    if "limit" in report:
        r = report["limit"]
        print(f"limit  200 concurrent, max_in_flight 10: statuses {r['statuses']}, slowest {r['slowest_s']:.2f} s "
              f"(timeout 30 s), wall {r['wall_s']:.2f} s, backend peak {r['backend_peak_active']}, "
              f"edge peak {r['peak_in_flight_reported_by_edge']}")
    os.makedirs(RESULTS, exist_ok=True)
    out = os.path.join(RESULTS, f"services-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
    print(f"written {out}")


if __name__ == "__main__":
    main()
