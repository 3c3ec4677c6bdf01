#!/usr/bin/env python3
"""File transfer figures of the real, published edge binary: the built-in /stream routes on folder storage.

  download    a 1 GB file from edge's GET /stream/download/{id} and from nginx serving the very same file on
              loopback (sendfile on), curl to /dev/null, alternated for --rounds rounds; median throughput of each,
              the ratio (target >= 0.8), and edge's resident memory (VmRSS) before and at its peak during the
              downloads (target: growth < 20 MB)
  upload      the same 1 GB through POST /stream/upload (Content-Length, then chunked); edge's VmRSS before and at
              its peak during each upload (target: growth < 50 MB)

Usage: python3 bench/files.py [--rounds N] [--size-mb N] [--skip-publish]
Installs nginx with apt when it is missing (only this script needs it). Results: bench/results/files-<UTC>.json.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

from benchlib import RESULTS, Edge, free_port, log, publish_edge, wait_http

MB = 1024 * 1024


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class PeakRss:
    """Samples a process's VmRSS every 5 ms on a thread while the block runs."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def __enter__(self):
        self.before = rss_kb(self.pid)
        self.peak = self.before
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kb(self.pid))

    @property
    def growth_mb(self):
        return (self.peak - self.before) / 1024


def curl(*args):
    out = subprocess.run(["curl", "-sS", *args], check=True, capture_output=True, text=True).stdout
    return out


def download(url):
    """Bytes/s of one full GET to /dev/null, and the byte count."""
    out = curl("-o", "/dev/null", "-w", "%{speed_download} %{size_download} %{http_code}", url)
    speed, size, code = out.split()
    if code != "200":
        raise RuntimeError(f"GET {url}: HTTP {code}")
    return float(speed), int(size)


def upload(url, path, chunked):
    extra = ["-H", "Transfer-Encoding: chunked"] if chunked else []
    started = time.monotonic()
    # -T streams the file (--data-binary would read all of it into curl's memory first).
    out = curl("-X", "POST", "-H", "Content-Type: application/octet-stream", *extra, "-T", path, "-w", "\n%{http_code}", url)
    elapsed = time.monotonic() - started
    body, code = out.rsplit("\n", 1)
    if code != "201":
        raise RuntimeError(f"upload: HTTP {code}: {body}")
    return json.loads(body), elapsed


def ensure_nginx():
    if shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"):
        return shutil.which("nginx") or "/usr/sbin/nginx"
    log("installing nginx (apt)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], check=True, env=env, stdout=subprocess.DEVNULL)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def start_nginx(binary, root, port, work):
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
""")
    proc = subprocess.Popen([binary, "-c", conf, "-p", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/")
    return proc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--skip-publish", action="store_true")
    args = parser.parse_args()

    nginx = ensure_nginx()
    binary = publish_edge(args.skip_publish)
    work = tempfile.mkdtemp(prefix="edge-bench-files.")
    os.chmod(work, 0o755)  # nginx's worker runs as an unprivileged user and must reach the stored file
    storage = os.path.join(work, "storage")
    source = os.path.join(work, "source.bin")
    size = args.size_mb * MB
    log(f"writing a {args.size_mb} MB file")
    with open(source, "wb") as f:
        block = os.urandom(MB)
        for _ in range(args.size_mb):
            f.write(block)

    edge = Edge(binary, ["--stream-auth", "none", "--stream-storage", "folder:" + storage, "--stream-max-bytes", str(2 * size)])
    nginx_proc = None
    try:
        gateway = f"http://127.0.0.1:{edge.port}"
        pid = edge.proc.pid

        # Warm edge up on a small file first (JIT, pools), so the first big transfer measures steady code.
        small = os.path.join(work, "small.bin")
        with open(small, "wb") as f:
            f.write(os.urandom(4 * MB))
        warm, _ = upload(gateway + "/stream/upload/warm.bin", small, chunked=False)
        for _ in range(5):
            download(f"{gateway}/stream/download/{warm['id']}")
        time.sleep(1)

        uploads = []
        for chunked in (False, True):
            with PeakRss(pid) as rss:
                meta, elapsed = upload(gateway + "/stream/upload/big.bin", source, chunked)
            if meta["size"] != size:
                raise RuntimeError(f"upload stored {meta['size']} bytes, sent {size}")
            uploads.append({"chunked": chunked, "seconds": round(elapsed, 2), "mb_per_s": round(size / MB / elapsed, 1),
                            "rss_before_mb": round(rss.before / 1024, 1), "rss_peak_mb": round(rss.peak / 1024, 1),
                            "rss_growth_mb": round(rss.growth_mb, 1), "id": meta["id"]})
            log(f"upload {'chunked' if chunked else 'content-length'}: {size / MB / elapsed:.0f} MB/s, "
                f"VmRSS {rss.before / 1024:.1f} -> peak {rss.peak / 1024:.1f} MB (+{rss.growth_mb:.1f})")

        stored = uploads[0]["id"]
        nginx_port = free_port()
        nginx_proc = start_nginx(nginx, storage, nginx_port, work)
        urls = {"edge": f"{gateway}/stream/download/{stored}", "nginx": f"http://127.0.0.1:{nginx_port}/{stored}"}
        subprocess.run(["cat", os.path.join(storage, stored)], stdout=subprocess.DEVNULL, check=True)  # page cache
        for url in urls.values():
            download(url)

        runs = {"edge": [], "nginx": []}
        with PeakRss(pid) as rss:
            for r in range(args.rounds):
                for target in (["edge", "nginx"] if r % 2 == 0 else ["nginx", "edge"]):
                    speed, got = download(urls[target])
                    if got != size:
                        raise RuntimeError(f"{target} sent {got} bytes, expected {size}")
                    runs[target].append(speed)
                    log(f"download round {r + 1} {target:5}: {speed / MB:8.0f} MB/s")
        median = {t: statistics.median(v) for t, v in runs.items()}
        ratio = median["edge"] / median["nginx"]
        log(f"download median: edge {median['edge'] / MB:.0f} MB/s, nginx {median['nginx'] / MB:.0f} MB/s, ratio {ratio:.2f}; "
            f"edge VmRSS {rss.before / 1024:.1f} -> peak {rss.peak / 1024:.1f} MB (+{rss.growth_mb:.1f})")

        result = {
            "size_bytes": size,
            "rounds": args.rounds,
            "download": {"mb_per_s": {t: [round(x / MB, 1) for x in v] for t, v in runs.items()},
                         "median_mb_per_s": {t: round(v / MB, 1) for t, v in median.items()},
                         "ratio_edge_to_nginx": round(ratio, 3),
                         "rss_before_mb": round(rss.before / 1024, 1), "rss_peak_mb": round(rss.peak / 1024, 1),
                         "rss_growth_mb": round(rss.growth_mb, 1)},
            "upload": uploads,
            "load_average_after": [round(x, 1) for x in os.getloadavg()],
            "targets": {"download_ratio_min": 0.8, "download_rss_growth_mb_max": 20, "upload_rss_growth_mb_max": 50},
        }
        os.makedirs(RESULTS, exist_ok=True)
        out = os.path.join(RESULTS, time.strftime("files-%Y%m%dT%H%M%SZ.json", time.gmtime()))
        with open(out, "w") as f:
            json.dump(result, f, indent=2)
        print(json.dumps(result, indent=2))
        log(f"written to {out}")
    finally:
        if nginx_proc:
            nginx_proc.terminate()
            nginx_proc.wait(10)
        edge.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
