"""Slow-client probe: opens N connections that send their request headers one byte at a time (slowloris),
keeps them open, and checks that a normal request is still answered meanwhile. Loopback only; bounded in
count and time. Exit status 0 when every normal request was answered in time.

    .venv/bin/python bench/slow_clients.py --url http://127.0.0.1:8000/healthz --slow 32 [--seconds 20]
"""
from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
import urllib.request
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def slow_client(host: str, port: int, stop: threading.Event, opened: list, interval: float) -> None:
    try:
        sock = socket.create_connection((host, port), timeout=10)
    except OSError:
        return
    opened.append(sock)
    head = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nUser-Agent: slow\r\n".encode()
    try:
        sock.sendall(head)
        while not stop.wait(interval):
            sock.sendall(b"X-a: b\r\n")  # never the blank line that ends the headers
    except OSError:
        pass
    finally:
        sock.close()


def probe(url: str, slow: int, seconds: float, interval: float, timeout: float) -> bool:
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit("only loopback addresses are probed")
    stop, opened = threading.Event(), []
    threads = [threading.Thread(target=slow_client, args=(parts.hostname, parts.port or 80, stop, opened, interval),
                                daemon=True) for _ in range(slow)]
    for thread in threads:
        thread.start()
    time.sleep(min(2.0, seconds / 4))
    print(f"{len(opened)} slow connections open")
    ok, answered, worst = True, 0, 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                response.read()
                answered += 1
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            print(f"normal request failed after {time.monotonic() - started:.1f} s: {exc}")
            ok = False
            break
        worst = max(worst, time.monotonic() - started)
        time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    print(f"{answered} normal requests answered while {len(opened)} slow connections were open; "
          f"slowest {worst * 1000:.0f} ms")
    return ok and answered > 0 and len(opened) >= slow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000/healthz")
    parser.add_argument("--slow", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between header bytes")
    parser.add_argument("--timeout", type=float, default=5.0, help="limit for one normal request")
    args = parser.parse_args()
    sys.exit(0 if probe(args.url, args.slow, args.seconds, args.interval, args.timeout) else 1)


if __name__ == "__main__":
    main()
