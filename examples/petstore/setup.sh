#!/usr/bin/env bash
# Sets up the pet store on a running edge against one storage backend:
#   examples/petstore/setup.sh sqlite|postgres|mysql|s3|ftp|ftps|sftp
#
# It creates the service "petstore-<backend>", five endpoints (GET/POST /pets, GET/PUT/DELETE /pets/{petId})
# that all run handlers/petstore.cs, binds the service to each endpoint as "petstore" (the name the handler
# uses), and deploys them. Running it again replaces what it made before (same names).
#
# Where edge is:   EDGE_ADMIN (default http://127.0.0.1:9081), EDGE_ADMIN_TOKEN (default: ./data/admin-token)
# Backend settings: PETSTORE_* variables below, or EDGE_TEST_* ones from a services.env file given as
#                  PETSTORE_SERVICES_ENV (scripts/services.sh writes one for the test servers).
#   sqlite    PETSTORE_SQLITE_PATH (default ./data/petstore.db)
#   postgres  PETSTORE_PG_HOST PETSTORE_PG_PORT PETSTORE_PG_DATABASE PETSTORE_PG_USER PETSTORE_PG_PASSWORD
#   mysql     PETSTORE_MYSQL_HOST PETSTORE_MYSQL_PORT PETSTORE_MYSQL_DATABASE PETSTORE_MYSQL_USER PETSTORE_MYSQL_PASSWORD
#   s3        PETSTORE_S3_ENDPOINT PETSTORE_S3_ACCESS_KEY PETSTORE_S3_SECRET_KEY PETSTORE_S3_BUCKET PETSTORE_S3_REGION
#   ftp/ftps  PETSTORE_FTP_HOST PETSTORE_FTP_PORT PETSTORE_FTP_USER PETSTORE_FTP_PASSWORD PETSTORE_FTP_BASE (+ PETSTORE_CA_CERT for ftps)
#   sftp      PETSTORE_SFTP_HOST PETSTORE_SFTP_PORT PETSTORE_SFTP_USER PETSTORE_SFTP_KEY PETSTORE_SFTP_FINGERPRINT PETSTORE_SFTP_BASE
# Needs curl and python3.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BACKEND=${1:-}
case $BACKEND in
  sqlite | postgres | mysql | s3 | ftp | ftps | sftp) ;;
  *)
    echo "usage: $0 sqlite|postgres|mysql|s3|ftp|ftps|sftp" >&2
    exit 2
    ;;
esac

ADMIN=${EDGE_ADMIN:-http://127.0.0.1:9081}
TOKEN=${EDGE_ADMIN_TOKEN:-}
if [ -z "$TOKEN" ]; then
  TOKEN=$(cat "${EDGE_DATA:-./data}/admin-token" 2>/dev/null) || {
    echo "set EDGE_ADMIN_TOKEN (or run from the folder holding data/admin-token)" >&2
    exit 2
  }
fi

export PETSTORE_BACKEND=$BACKEND PETSTORE_HANDLER=$HERE/handlers/petstore.cs
export EDGE_ADMIN_URL=$ADMIN EDGE_TOKEN=$TOKEN
exec python3 - <<'PY'
import json, os, sys, urllib.request, urllib.error

admin, token, backend = os.environ["EDGE_ADMIN_URL"].rstrip("/"), os.environ["EDGE_TOKEN"], os.environ["PETSTORE_BACKEND"]
settings = dict(os.environ)
if os.environ.get("PETSTORE_SERVICES_ENV"):
    with open(os.environ["PETSTORE_SERVICES_ENV"]) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                settings.setdefault(k, v)

def pick(name, test_name=None, default=None):
    value = settings.get("PETSTORE_" + name) or (settings.get("EDGE_TEST_" + test_name) if test_name else None) or default
    if value is None:
        sys.exit(f"setup.sh: set PETSTORE_{name}" + (f" (or EDGE_TEST_{test_name} in PETSTORE_SERVICES_ENV)" if test_name else ""))
    return value

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(admin + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        sys.exit(f"setup.sh: {method} {path} -> {e.code}: {text}")

if backend == "sqlite":
    config = {"path": pick("SQLITE_PATH", default=os.path.abspath("data/petstore.db")), "create_if_missing": True}
    kind = "sqlite"
elif backend == "postgres":
    kind = "postgres"
    config = {"host": pick("PG_HOST", "POSTGRES_HOST"), "port": int(pick("PG_PORT", "POSTGRES_PORT")),
              "database": pick("PG_DATABASE", "POSTGRES_DATABASE"), "username": pick("PG_USER", "POSTGRES_USER"),
              "password": pick("PG_PASSWORD", "POSTGRES_PASSWORD")}
elif backend == "mysql":
    kind = "mysql"
    config = {"host": pick("MYSQL_HOST", "MARIADB_HOST"), "port": int(pick("MYSQL_PORT", "MARIADB_PORT")),
              "database": pick("MYSQL_DATABASE", "MARIADB_DATABASE"), "username": pick("MYSQL_USER", "MARIADB_USER"),
              "password": pick("MYSQL_PASSWORD", "MARIADB_PASSWORD")}
elif backend == "s3":
    kind = "minio"
    config = {"endpoint": pick("S3_ENDPOINT", "S3_ENDPOINT"), "access_key": pick("S3_ACCESS_KEY", "S3_ACCESS_KEY"),
              "secret_key": pick("S3_SECRET_KEY", "S3_SECRET_KEY"), "bucket": pick("S3_BUCKET", "S3_BUCKET"),
              "region": pick("S3_REGION", "S3_REGION", "us-east-1")}
elif backend in ("ftp", "ftps"):
    kind = "ftp"
    config = {"host": pick("FTP_HOST", "FTP_HOST"), "port": int(pick("FTP_PORT", "FTP_PORT")),
              "username": pick("FTP_USER", "FTP_USER"), "password": pick("FTP_PASSWORD", "FTP_PASSWORD"),
              "protocol": backend, "base_path": pick("FTP_BASE", default="/")}
    if backend == "ftps":
        config["ca_cert_path"] = pick("CA_CERT", "TLS_CA_CERT")
else:
    kind = "ftp"
    config = {"host": pick("SFTP_HOST", "SFTP_HOST"), "port": int(pick("SFTP_PORT", "SFTP_PORT")),
              "username": pick("SFTP_USER", "SFTP_USER"), "protocol": "sftp",
              "private_key_path": pick("SFTP_KEY", "SFTP_PRIVATE_KEY"),
              "host_key_fingerprint": pick("SFTP_FINGERPRINT", "SFTP_HOST_KEY_FINGERPRINT")}
    if settings.get("PETSTORE_SFTP_BASE"):
        config["base_path"] = settings["PETSTORE_SFTP_BASE"]

service_name = "petstore-" + backend
services = call("GET", "/api/services")["data"]
existing = next((s for s in services if s["name"] == service_name), None)
if existing:
    service = call("PUT", f"/api/services/{existing['id']}", {"config": config, "enabled": True})["data"]
else:
    service = call("POST", "/api/services", {"name": service_name, "service_type": kind, "config": config})["data"]
probe = call("POST", f"/api/services/{service['id']}/test")["data"]
print(f"service {service_name} ({kind}): " + (f"connected in {probe['latency_ms']} ms" if probe["connected"] else f"NOT connected: {probe['error']}"))

code = open(os.environ["PETSTORE_HANDLER"]).read()
routes = [("GET", "/pets", "list_pets"), ("POST", "/pets", "create_pet"), ("GET", "/pets/{petId}", "get_pet"),
          ("PUT", "/pets/{petId}", "update_pet"), ("DELETE", "/pets/{petId}", "delete_pet")]
endpoints = {e["name"]: e for e in call("GET", "/api/endpoints")["data"]}
for method, path, name in routes:
    if name in endpoints:
        endpoint = call("PUT", f"/api/endpoints/{endpoints[name]['id']}", {"code": code, "method": method, "path": path})["data"]
    else:
        endpoint = call("POST", "/api/endpoints", {"name": name, "method": method, "path": path, "domain": "*", "code": code})["data"]
    for binding in call("GET", f"/api/endpoints/{endpoint['id']}/services")["data"]:
        call("DELETE", f"/api/endpoints/{endpoint['id']}/services/{binding['service_id']}")
    call("POST", f"/api/endpoints/{endpoint['id']}/services", {"service_id": service["id"], "pool_id": "petstore"})
    call("POST", f"/api/endpoints/{endpoint['id']}/deploy")
    print(f"{method:6} {path:15} -> {name} deployed")
print("pet store ready on the gateway port: try  curl -s localhost:9080/pets")
PY
