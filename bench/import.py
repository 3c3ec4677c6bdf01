#!/usr/bin/env python3
"""Import figures of the real, published edge binary.

  import      a generated OpenAPI spec with 1,000 operations imported into a running edge (no code: generated
              handlers), then imported again with start=true: every handler compiled (in parallel) and started.
              Each round uses a fresh edge process and data folder, so every compile is a real one.
  validation  the same imported POST endpoint with request validation on and off, a ~1 KB JSON body, under wrk,
              alternated in one run: the throughput ratio and the cost per request it implies.

Usage: python3 bench/import.py [--rounds N] [--duration S] [--skip-publish] [import|validation|all]
"""
import argparse
import json
import os
import statistics
import time

from benchlib import RESULTS, Edge, compare, log, publish_edge

ITEM_SCHEMA = """
    Item:
      type: object
      required: [id, name]
      properties:
        id: { type: integer, format: int64 }
        name: { type: string, maxLength: 64 }
        tags: { type: array, items: { type: string } }
"""

# The validated body: about 1 KB, an object of 15 properties with a nested object, an array of objects, a $ref,
# an enum, a pattern and formats.
ORDER_SPEC = """
openapi: 3.0.3
info: { title: Validation bench, version: "1" }
servers: [{ url: %s }]
paths:
  /orders:
    post:
      operationId: createOrder
      requestBody:
        required: true
        content: { application/json: { schema: { $ref: '#/components/schemas/Order' } } }
      responses:
        '201': { description: created, content: { application/json: { example: { ok: true } } } }
components:
  schemas:
    Address:
      type: object
      required: [street, city, country]
      properties:
        street: { type: string, maxLength: 100 }
        city: { type: string, maxLength: 60 }
        postcode: { type: string, pattern: '^[0-9A-Z -]{3,10}$' }
        country: { type: string, minLength: 2, maxLength: 2 }
    Line:
      type: object
      required: [sku, quantity, price]
      additionalProperties: false
      properties:
        sku: { type: string, pattern: '^[A-Z]{3}-[0-9]{4}$' }
        quantity: { type: integer, minimum: 1, maximum: 1000 }
        price: { type: number, minimum: 0 }
    Order:
      type: object
      required: [id, customer, email, status, lines, shipping, created_at]
      properties:
        id: { type: string, format: uuid }
        customer: { type: string, minLength: 1, maxLength: 80 }
        email: { type: string, format: email }
        status: { type: string, enum: [placed, paid, packed, shipped, delivered] }
        priority: { type: integer, minimum: 0, maximum: 9 }
        gift: { type: boolean }
        note: { type: string, nullable: true, maxLength: 500 }
        coupon: { type: string, nullable: true }
        currency: { type: string, enum: [EUR, USD, GBP] }
        total: { type: number, minimum: 0 }
        created_at: { type: string, format: date-time }
        tags: { type: array, maxItems: 10, items: { type: string } }
        shipping: { $ref: '#/components/schemas/Address' }
        billing: { $ref: '#/components/schemas/Address' }
        lines: { type: array, minItems: 1, items: { $ref: '#/components/schemas/Line' } }
"""

ORDER_BODY = {
    "id": "3f2b8c1e-9d4a-4e6b-8a7c-1d2e3f4a5b6c", "customer": "Ada Lovelace", "email": "ada@example.com",
    "status": "paid", "priority": 3, "gift": False, "note": "leave at the door, please", "coupon": None,
    "currency": "EUR", "total": 129.9, "created_at": "2026-11-21T10:30:00Z", "tags": ["web", "returning", "eu"],
    "shipping": {"street": "12 Analytical Engine Road", "city": "London", "postcode": "NW1 2DB", "country": "GB"},
    "billing": {"street": "12 Analytical Engine Road", "city": "London", "postcode": "NW1 2DB", "country": "GB"},
    "lines": [{"sku": "ABC-%04d" % i, "quantity": i + 1, "price": 9.99 + i} for i in range(6)],
}


def generated_spec(resources):
    """resources × 2 operations (list with an example, create with a $ref body), as the test suite's large spec."""
    out = ["openapi: 3.0.3", "info: { title: Generated, version: '1.0' }", "servers: [{ url: /big }]",
           "components:", "  schemas:" + ITEM_SCHEMA.rstrip().replace("\n", "\n  "), "paths:"]
    for i in range(resources):
        out.append(f"""  /r{i}/items:
    get:
      operationId: listItems{i}
      parameters: [{{ name: limit, in: query, schema: {{ type: integer, maximum: 100 }} }}]
      responses:
        '200': {{ description: ok, content: {{ application/json: {{ example: [{{ id: {i}, name: item{i} }}] }} }} }}
    post:
      operationId: createItem{i}
      requestBody:
        required: true
        content: {{ application/json: {{ schema: {{ $ref: '#/components/schemas/Item' }} }} }}
      responses:
        '201': {{ description: created, content: {{ application/json: {{ schema: {{ $ref: '#/components/schemas/Item' }} }} }} }}""")
    return "\n".join(out) + "\n"


def timed_import(edge, body):
    t0 = time.monotonic()
    data = edge.api("POST", "/api/import/openapi", body)
    return time.monotonic() - t0, data


def import_rounds(binary, rounds):
    spec = generated_spec(500)
    results = []
    for r in range(rounds):
        edge = Edge(binary)
        try:
            host = f"big{r}.bench"
            seconds, data = timed_import(edge, {"spec": spec, "domain": host})
            assert data["endpoints_created"] == 1000, data["endpoints_created"]
            start_seconds, started = timed_import(edge, {"spec": spec, "domain": host, "start": True})
            assert started["started"] == 1000 and not started["errors"], (started["started"], started["errors"][:3])
            results.append({"import_s": seconds, "compile_start_s": start_seconds, "spec_bytes": len(spec)})
            log(f"import round {r + 1}: import {seconds:.2f} s, compile + start of 1000 handlers {start_seconds:.2f} s")
        finally:
            edge.stop()
    return {"rounds": results, "median_import_s": statistics.median(x["import_s"] for x in results),
            "median_compile_start_s": statistics.median(x["compile_start_s"] for x in results)}


def validation(binary, rounds, duration):
    edge = Edge(binary)
    try:
        for base, validate in (("/on", True), ("/off", False)):
            data = edge.api("POST", "/api/import/openapi", {"spec": ORDER_SPEC % base, "domain": "*", "start": True, "validate": validate})
            assert data["started"] == 1, data
        body = json.dumps(ORDER_BODY)
        lua = os.path.join(edge.data, "post.lua")
        with open(lua, "w") as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ' + json.dumps(body) + "\n")
        log(f"validation: body of {len(body.encode())} bytes")
        result = compare("validation", {"on": f"http://127.0.0.1:{edge.port}/on/orders", "off": f"http://127.0.0.1:{edge.port}/off/orders"},
                         rounds, duration, script=lua)
        med = result["median_rps"]
        # The machine's throughput spent per validated request, beyond the same request unvalidated.
        result["added_us_per_request"] = 1e6 / med["on"] - 1e6 / med["off"]
        result["body_bytes"] = len(body.encode())
        return result
    finally:
        edge.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", default="all", choices=["import", "validation", "all"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--skip-publish", action="store_true")
    args = parser.parse_args()

    binary = publish_edge(args.skip_publish)
    report = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rounds": args.rounds, "duration_s": args.duration}
    if args.what in ("import", "all"):
        report["import"] = import_rounds(binary, args.rounds)
    if args.what in ("validation", "all"):
        report["validation"] = validation(binary, args.rounds, args.duration)

    print()
    if "import" in report:
        r = report["import"]
        print(f"import      1000 operations: import {r['median_import_s']:.2f} s (median), "
              f"compile + start of every handler {r['median_compile_start_s']:.2f} s (median)")
    if "validation" in report:
        r = report["validation"]
        print(f"validation  {r['body_bytes']} B body: on {r['median_rps']['on']:.0f} req/s, off {r['median_rps']['off']:.0f} req/s, "
              f"ratio {r['ratio']:.3f}, {r['added_us_per_request']:.1f} µs of machine time per request, failures {r['failures']}")
    os.makedirs(RESULTS, exist_ok=True)
    out = os.path.join(RESULTS, f"import-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
    print(f"written {out}")


if __name__ == "__main__":
    main()
