"""A local stand-in for the Fingertips API, serving real export files on 127.0.0.1.

Modes (set ``server.mode``): ``normal``; ``slow`` (first byte after ``server.delay`` s);
``error500``; ``malformed`` (a broken CSV with status 200); ``html`` (a web page instead of
CSV); ``blackhole`` (accepts the connection and never answers); ``stall`` (sends part of
the answer, then stops sending); ``trickle`` (one byte every 0.1 s, for ever);
``endless`` (an answer with no end, sent as fast as it is read). Every request is recorded
in ``server.requests``.
"""
from __future__ import annotations

import csv
import io
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fingertips"
MODES = ("normal", "slow", "error500", "malformed", "html", "blackhole", "stall", "trickle",
         "endless")


def _index_exports(folder: Path) -> dict[int, tuple[list[str], list[list[str]]]]:
    """Rows of every export in ``folder`` grouped by indicator id (header kept per file)."""
    out: dict[int, tuple[list[str], list[list[str]]]] = {}
    for path in sorted(folder.glob("fingertips_export_*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            groups = defaultdict(list)
            for row in reader:
                if row and row[0].strip().isdigit():
                    groups[int(row[0])].append(row)
        for iid, rows in groups.items():
            out[iid] = (header, rows)
    return out


class FingertipsTestServer:
    def __init__(self, fixtures: Path = FIXTURES, mode: str = "normal", delay: float = 2.0):
        self.fixtures = Path(fixtures)
        self.mode = mode
        self.delay = delay
        self.requests: list[tuple[str, dict]] = []
        self.exports = _index_exports(self.fixtures)
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def start(self) -> "FingertipsTestServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.requests.append((parts.path, query))
                mode = server.mode
                if mode == "blackhole":
                    server._stop.wait(60)
                    return
                if mode == "slow":
                    server._stop.wait(server.delay)
                if mode == "error500":
                    self._send(500, b"Internal Server Error", "text/plain")
                    return
                if mode == "malformed":
                    self._send(200, b'Indicator ID,Indicator Name,Area Code\n41001,"broken\n', "text/csv")
                    return
                if mode == "html":
                    self._send(200, b"<html><body>Proxy login required</body></html>", "text/html")
                    return
                if mode in ("trickle", "endless"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/csv")
                    if mode == "trickle":
                        self.send_header("Content-Length", str(10**6))
                    self.end_headers()
                    piece = b"x" if mode == "trickle" else b"1,2,3\n" * 10_000
                    try:  # until the client hangs up (or the server stops)
                        while not server._stop.wait(0.1 if mode == "trickle" else 0):
                            self.wfile.write(piece)
                            self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                status, body, ctype = server.answer(parts.path, query)
                if mode == "stall":
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    server._stop.wait(60)
                    return
                self._send(status, body, ctype)

            def _send(self, status, body, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def answer(self, path: str, query: dict) -> tuple[int, bytes, str]:
        endpoint = path.split("/api/", 1)[-1].strip("/")
        if endpoint == "all_data/csv/by_indicator_id":
            ids = [int(x) for x in query.get("indicator_ids", "").split(",") if x.strip().isdigit()]
            found = [self.exports[i] for i in ids if i in self.exports]
            header = found[0][0] if found else ["Indicator ID", "Indicator Name", "Area Code", "Value"]
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(header)
            for _, rows in found:
                writer.writerows(rows)
            return 200, buf.getvalue().encode("utf-8"), "text/csv"
        if endpoint == "profiles":
            return 200, (self.fixtures / "profiles.json").read_bytes(), "application/json"
        if endpoint == "indicator_metadata/csv/by_profile_id":
            pid = query.get("profile_id", "")
            lines = (self.fixtures / "profile_indicators.csv").read_text(encoding="utf-8").splitlines()
            body = ["Indicator ID,Indicator"] + [line.split(",", 1)[1] for line in lines[1:]
                                                if line.split(",", 1)[0] == pid]
            return 200, ("\n".join(body) + "\n").encode("utf-8"), "text/csv"
        return 404, b"not found", "text/plain"
