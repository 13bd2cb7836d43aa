"""A local Hugging Face hub for the download tests: the hub's file API over real HTTP, serving
real model files under their hub names (no test touches the internet).

What it answers, as huggingface.co does:

* ``GET /api/models/{repo}/revision/{rev}[?blobs=true]``: the commit and the files, with size,
  git blob id and, for large files, ``lfs.sha256``;
* ``GET|HEAD /{repo}/resolve/{rev}/{file}``: small files directly (``ETag`` = git blob id), large
  ones by a 302 to ``/cdn/{sha256}`` (``X-Linked-Etag``, ``X-Linked-Size``), always with
  ``X-Repo-Commit``;
* ``/cdn/{sha256}``: the bytes, with ``Range: bytes=N-`` answered 206.

Knobs for the tests: ``rate`` (bytes a second per response), ``corrupt`` (a file whose byte at
an offset is flipped), ``cut_after`` (a file whose response stops after N bytes, once),
``ignore_range`` (a server or proxy that always sends the whole file), and
``log`` (every request: method, path, Range).
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LFS_OVER = 1_000_000
TINY = "Systran/faster-whisper-tiny.en"
BASE = "Systran/faster-whisper-base"


@dataclass
class HubFileEntry:
    path: Path
    size: int
    sha256: str
    git_sha1: str

    @classmethod
    def of(cls, path: Path) -> HubFileEntry:
        stat = path.stat()
        return _entry(path, stat.st_size, stat.st_mtime_ns)

    @classmethod
    def hashed(cls, path: Path) -> HubFileEntry:
        data_sha, git = hashlib.sha256(), hashlib.sha1()
        size = path.stat().st_size
        git.update(f"blob {size}\0".encode())
        with open(path, "rb") as f:
            while block := f.read(4 << 20):
                data_sha.update(block)
                git.update(block)
        return cls(path, size, data_sha.hexdigest(), git.hexdigest())

    @property
    def lfs(self) -> bool:
        return self.size > LFS_OVER


@functools.lru_cache(maxsize=64)
def _entry(path: Path, size: int, mtime_ns: int) -> HubFileEntry:
    """Hashed once per file version: the same model files serve every test."""
    return HubFileEntry.hashed(path)


@dataclass
class LocalHub:
    """Start with :meth:`start`; ``url`` goes into ``HF_ENDPOINT``."""

    repos: dict[str, dict[str, HubFileEntry]] = field(default_factory=dict)
    rate: float | None = None
    corrupt: dict[str, int] = field(default_factory=dict)
    cut_after: dict[str, int] = field(default_factory=dict)
    ignore_range: bool = False
    log: list[tuple[str, str, str | None]] = field(default_factory=list)
    commit: str = "0123456789abcdef0123456789abcdef01234567"

    def add_repo(self, repo: str, folder: Path) -> None:
        files = [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]
        self.repos[repo] = {p.name: HubFileEntry.of(p) for p in files}

    def start(self) -> LocalHub:
        hub = self

        class Handler(_Handler):
            owner = hub

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def by_sha(self, sha: str) -> HubFileEntry | None:
        return next((f for files in self.repos.values() for f in files.values() if f.sha256 == sha), None)

    def ranges(self, name: str) -> list[str | None]:
        return [r for method, path, r in self.log if method == "GET" and path.startswith("/cdn/") and name in path]


class _Handler(http.server.BaseHTTPRequestHandler):
    owner: LocalHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        hub = self.owner
        path = self.path.split("?")[0]
        hub.log.append((self.command, path + (f"#{self._cdn_name(path)}" if path.startswith("/cdn/") else ""),
                        self.headers.get("Range")))  # fmt: skip
        if path.startswith("/api/models/"):
            return self._listing(path[len("/api/models/") :], head)
        if path.startswith("/cdn/"):
            found = hub.by_sha(path[len("/cdn/") :])
            return self._bytes(found, head) if found else self._status(404)
        if "/resolve/" in path:
            repo, _, rest = path.lstrip("/").partition("/resolve/")
            _rev, _, name = rest.partition("/")
            found = hub.repos.get(repo, {}).get(name)
            if found is None:
                return self._status(404)
            if found.lfs:
                self.send_response(302)
                self.send_header("Location", f"/cdn/{found.sha256}")
                self.send_header("X-Repo-Commit", hub.commit)
                self.send_header("X-Linked-Etag", f'"{found.sha256}"')
                self.send_header("X-Linked-Size", str(found.size))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._bytes(found, head)
        return self._status(404)

    def _cdn_name(self, path: str) -> str:
        found = self.owner.by_sha(path[len("/cdn/") :])
        return found.path.name if found else "?"

    def _listing(self, rest: str, head: bool) -> None:
        repo, _, _rev = rest.partition("/revision/")
        files = self.owner.repos.get(repo)
        if files is None:
            return self._status(404)
        siblings = []
        for name, f in files.items():
            item = {"rfilename": name, "size": f.size, "blobId": f.git_sha1}
            if f.lfs:
                item["lfs"] = {"sha256": f.sha256, "size": f.size, "pointerSize": 134}
            siblings.append(item)
        body = json.dumps({"id": repo, "modelId": repo, "sha": self.owner.commit, "siblings": siblings}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _bytes(self, f: HubFileEntry, head: bool) -> None:
        hub = self.owner
        start = 0
        wanted = self.headers.get("Range")
        if wanted and wanted.startswith("bytes=") and not hub.ignore_range:
            start = int(wanted[len("bytes=") :].split("-")[0])
        if start >= f.size and f.size:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{f.size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{f.size - 1}/{f.size}")
        self.send_header("Content-Length", str(f.size - start))
        self.send_header("ETag", f'"{f.sha256 if f.lfs else f.git_sha1}"')
        self.send_header("X-Repo-Commit", hub.commit)
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if head:
            return
        cut = hub.cut_after.pop(f.path.name, None)
        flip = hub.corrupt.get(f.path.name)
        sent, began = start, time.monotonic()
        with open(f.path, "rb") as source:
            source.seek(start)
            while block := source.read(64 * 1024):
                if flip is not None and sent <= flip < sent + len(block):
                    block = bytearray(block)
                    block[flip - sent] ^= 0xFF
                    block = bytes(block)
                if cut is not None and sent + len(block) > cut:
                    block = block[: max(0, cut - sent)]
                try:
                    self.wfile.write(block)
                except OSError:
                    return
                sent += len(block)
                if cut is not None and sent >= cut:
                    self.close_connection = True
                    return  # the server went away mid-file
                if hub.rate:
                    ahead = (sent - start) / hub.rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)

    def _status(self, code: int) -> None:
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


# -- fixtures (conftest imports them) ----------------------------------------------------------


@pytest.fixture(scope="session")
def base_folder(tmp_path_factory) -> Path:
    """The real multilingual base model, assembled once from the [base] extra's packages."""
    from dictation_app.engine.models import ModelStore

    return ModelStore(tmp_path_factory.mktemp("base-cache")).resolve("base")


@pytest.fixture
def local_hub(monkeypatch, base_folder):
    """The hub, serving tiny.en and base, in ``HF_ENDPOINT`` for the test."""
    from dictation_app.engine.models import _bundled_path

    served = LocalHub()
    served.add_repo(TINY, _bundled_path())
    served.add_repo(BASE, base_folder)
    served.start()
    monkeypatch.setenv("HF_ENDPOINT", served.url)
    yield served
    served.stop()
