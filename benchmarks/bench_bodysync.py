"""Body sync throughput: enqueue 10,000 mission artifact bodies, drain 1,000 to a loopback server.

    uv run python benchmarks/bench_bodysync.py [--enqueue N] [--drain M] [--body-bytes B]

Figures (bodies per second, wall clock, one process):
  enqueue        ``BodyQueue.enqueue`` one body per call, each its own SQLite transaction
  enqueue_many   ``BodyQueue.enqueue_many`` all bodies in one transaction
  raw sqlite3    reference: plain ``sqlite3`` INSERTs of the same rows into the same schema,
                 per-row commit and one transaction (no validation, no hashing)
  drain          ``drain()`` through ``HttpTransport`` to a stdlib HTTP server on 127.0.0.1
                 that answers 201 (gate check + POST + mark per body, one at a time)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from spec_kitty_bodysync import BodyQueue, HttpTransport, NamespaceRef, drain
from spec_kitty_bodysync._schema import COLUMNS, DDL, TABLE

NS = NamespaceRef(
    project_uuid="5b2c1e0a-1111-4222-8333-444455556666",
    mission_slug="001-bench-mission",
    target_branch="main",
    mission_type="software-dev",
    manifest_version="1",
)


def bodies(n: int, size: int) -> list[tuple[str, str]]:
    filler = "lorem ipsum dolor sit amet " * (size // 27 + 1)
    return [(f"research/note-{i:05d}.md", f"# Note {i}\n{filler[:size]}\n") for i in range(n)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real SaaS front end offers
    disable_nagle_algorithm = True  # as production servers do (else +40 ms per answer)
    count = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        json.loads(self.rfile.read(length))
        type(self).count += 1
        out = b'{"status":"stored"}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: Any) -> None:
        pass


def raw_rows(items: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
    ns = NS.to_dict()
    now = time.time()
    return [
        (*ns.values(), path, hashlib.sha256(body.encode()).hexdigest(), "sha256", body,
         len(body.encode()), 0, 0.0, now, None, "pending", None)
        for path, body in items
    ]  # fmt: skip


def bench_raw(tmp: Path, items: list[tuple[str, str]], *, per_row_commit: bool) -> float:
    conn = sqlite3.connect(str(tmp / f"raw-{per_row_commit}.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(DDL)
    sql = f"INSERT OR IGNORE INTO {TABLE} ({', '.join(COLUMNS[1:])}) VALUES ({', '.join('?' * 16)})"
    start = time.perf_counter()
    rows = raw_rows(items)
    if per_row_commit:
        for row in rows:
            conn.execute("BEGIN")
            conn.execute(sql, row)
            conn.execute("COMMIT")
    else:
        conn.execute("BEGIN")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(items) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enqueue", type=int, default=10_000)
    parser.add_argument("--drain", type=int, default=1_000)
    parser.add_argument("--body-bytes", type=int, default=2_048)
    args = parser.parse_args()
    items = bodies(args.enqueue, args.body_bytes)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with BodyQueue(tmp / "single.db") as queue:
            start = time.perf_counter()
            for path, body in items:
                queue.enqueue(NS, path, body)
            single = len(items) / (time.perf_counter() - start)
        with BodyQueue(tmp / "many.db") as queue:
            start = time.perf_counter()
            queue.enqueue_many(NS, items)
            many = len(items) / (time.perf_counter() - start)
        raw_each = bench_raw(tmp, items, per_row_commit=True)
        raw_tx = bench_raw(tmp, items, per_row_commit=False)

        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with BodyQueue(tmp / "drain.db") as queue:
            queue.enqueue_many(NS, items[: args.drain])
            with HttpTransport(url, "bench-token") as transport:
                start = time.perf_counter()
                report = drain(queue, transport, batch_size=200)
                drained = report.delivered / (time.perf_counter() - start)
            assert report.delivered == args.drain == _Handler.count, report
        server.shutdown()

    print(f"body size ~{args.body_bytes} B; bodies per second (higher is better)")
    print(f"  enqueue       {args.enqueue:>6} bodies  {single:>10,.0f}/s  (one transaction each)")
    print(f"  enqueue_many  {args.enqueue:>6} bodies  {many:>10,.0f}/s  (one transaction)")
    print(f"  raw sqlite3   {args.enqueue:>6} rows    {raw_each:>10,.0f}/s  (commit per row)")
    print(f"  raw sqlite3   {args.enqueue:>6} rows    {raw_tx:>10,.0f}/s  (one transaction)")
    print(
        f"  drain         {args.drain:>6} bodies  {drained:>10,.0f}/s  (gate + POST + mark, loopback)"
    )


if __name__ == "__main__":
    main()
