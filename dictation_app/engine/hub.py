"""The Hugging Face hub, as the model downloads need it: what a model repository holds, and one
file fetched so that it can be trusted, watched, cancelled and resumed.

Only the hub's public file API is used, over plain HTTPS (``HF_ENDPOINT`` points elsewhere, as
for ``huggingface_hub``; the tests serve a local hub):

* ``GET {endpoint}/api/models/{repo}/revision/{revision}?blobs=true``: the commit and, per file,
  its size and hash (``lfs.sha256`` for large files, the git blob id otherwise);
* ``GET {endpoint}/{repo}/resolve/{commit}/{file}``: the bytes (a redirect to a CDN for large
  files), with ``Range: bytes=N-`` to go on from byte N.

A file is accepted only when its size and hash are the hub's. Nothing here writes outside the
``.part`` file it is given.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dictation_app.errors import ModelError
from dictation_app.fileio import open_private

__all__ = [
    "DiskFull",
    "DownloadCancelled",
    "DownloadInterrupted",
    "HubFile",
    "HubSnapshot",
    "HubUnreachable",
    "Throughput",
    "endpoint",
    "fetch_file",
    "snapshot",
]

DEFAULT_ENDPOINT = "https://huggingface.co"
TIMEOUT_S = 20.0
CHUNK = 256 * 1024


class HubUnreachable(ModelError):
    """No answer from the hub at all (offline, DNS, refused): nothing was downloaded."""


class DownloadInterrupted(ModelError):
    """The connection broke or the server went away mid-file: what arrived is kept."""


class DownloadCancelled(ModelError):
    """The user cancelled: what arrived is kept for a later resume."""


class DiskFull(ModelError):
    """No space left where the model is being written."""


@dataclass(frozen=True)
class HubFile:
    """One file of a repository, as the hub describes it.

    Attributes:
        name: Path inside the repository.
        size: Bytes.
        sha256: The content's SHA-256 (large files stored in LFS), or None.
        git_sha1: The git blob id (every file), checked when there is no SHA-256.
    """

    name: str
    size: int
    sha256: str | None
    git_sha1: str | None

    def check(self, digest: str, git_digest: str) -> bool:
        if self.sha256:
            return digest == self.sha256
        return self.git_sha1 is None or git_digest == self.git_sha1


@dataclass(frozen=True)
class HubSnapshot:
    """A repository at one commit: downloads resume at the same commit, whatever main is now."""

    repo: str
    commit: str
    files: tuple[HubFile, ...]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> dict:
        return {"repo": self.repo, "commit": self.commit, "files": [vars(f) for f in self.files]}

    @classmethod
    def from_json(cls, data: dict) -> HubSnapshot:
        return cls(data["repo"], data["commit"], tuple(HubFile(**f) for f in data["files"]))


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def _host() -> str:
    return urllib.parse.urlsplit(endpoint()).netloc or endpoint()


def _request(url: str, headers: dict[str, str] | None = None) -> urllib.request.Request:
    request = urllib.request.Request(url, headers={"User-Agent": "dictation-app", **(headers or {})})
    token = os.environ.get("HF_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    return request


def snapshot(repo: str, wanted: Callable[[str], bool], revision: str = "main") -> HubSnapshot:
    """The files of ``repo`` that ``wanted`` keeps, with their sizes and hashes.

    Raises:
        HubUnreachable: no answer from the hub.
        ModelError: no such repository, or an answer that is not the hub's.
    """
    url = f"{endpoint()}/api/models/{repo}/revision/{urllib.parse.quote(revision, safe='')}?blobs=true"
    try:
        with urllib.request.urlopen(_request(url), timeout=TIMEOUT_S) as response:
            data = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403, 404):
            message = f"The Hugging Face hub ({_host()}) has no public model '{repo}' (HTTP {exc.code})."
            raise ModelError(message) from None
        raise HubUnreachable(f"The Hugging Face hub ({_host()}) answered HTTP {exc.code}; try again later.") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise HubUnreachable(f"Cannot reach the Hugging Face hub ({_host()}): {_reason(reason)}.") from None
    except ValueError:
        raise ModelError(f"The Hugging Face hub ({_host()}) sent an answer that is not a model listing.") from None
    try:
        files = tuple(
            HubFile(
                name=entry["rfilename"],
                size=int((entry.get("lfs") or {}).get("size", entry.get("size", -1))),
                sha256=(entry.get("lfs") or {}).get("sha256"),
                git_sha1=entry.get("blobId"),
            )
            for entry in data.get("siblings", [])
            if wanted(entry["rfilename"])
        )
        commit = str(data["sha"])
    except (KeyError, TypeError, ValueError):
        raise ModelError(f"The Hugging Face hub ({_host()}) sent a model listing without file sizes.") from None
    if any(f.size < 0 for f in files):
        raise ModelError(f"The Hugging Face hub ({_host()}) did not say the sizes of '{repo}''s files.")
    return HubSnapshot(repo, commit, files)


def fetch_file(
    snap: HubSnapshot,
    file: HubFile,
    part: Path,
    on_bytes: Callable[[int], None],
    cancel: threading.Event,
) -> None:
    """Bring ``file`` into ``part``, going on from what ``part`` already holds, and check it.

    ``on_bytes(n)`` is called as bytes arrive. On return ``part`` holds exactly the hub's file.

    Raises:
        DownloadCancelled: ``cancel`` was set; ``part`` keeps what arrived.
        DownloadInterrupted: the connection broke; ``part`` keeps what arrived.
        HubUnreachable: no answer at all.
        DiskFull: no space left (``part`` is left to the caller to remove).
        ModelError: the finished file is not the hub's (``part`` is removed).
    """
    have = part.stat().st_size if part.exists() else 0
    if have > file.size:
        part.unlink()
        have = 0
    digest, git_digest = _digests(file, part if have else None)
    if have < file.size:
        try:
            have = _stream(snap, file, part, have, digest, git_digest, on_bytes, cancel)
        except _RangeIgnored:  # the server sent the whole file: start it over
            part.unlink(missing_ok=True)
            digest, git_digest = _digests(file, None)
            have = _stream(snap, file, part, 0, digest, git_digest, on_bytes, cancel)
    if have != file.size or not file.check(digest.hexdigest(), git_digest.hexdigest()):
        part.unlink(missing_ok=True)
        raise ModelError(
            f"The downloaded {file.name} of '{snap.repo}' is not the hub's file (its size or checksum "
            "differs: a damaged transfer or a proxy changed it); it was deleted. Download again."
        )


class _RangeIgnored(Exception):
    pass


def _digests(file: HubFile, existing: Path | None):
    """SHA-256 and git's blob id, over the bytes a resumed file already has."""
    digest, git_digest = hashlib.sha256(), hashlib.sha1()  # noqa: S324 - git's blob id, not security
    git_digest.update(f"blob {file.size}\0".encode())
    if existing is not None:
        with open(existing, "rb") as old:
            while block := old.read(4 << 20):
                digest.update(block)
                git_digest.update(block)
    return digest, git_digest


def _stream(snap, file, part, have, digest, git_digest, on_bytes, cancel) -> int:
    quoted = urllib.parse.quote(file.name)
    url = f"{endpoint()}/{snap.repo}/resolve/{snap.commit}/{quoted}"
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        response = urllib.request.urlopen(_request(url, headers), timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        raise DownloadInterrupted(
            f"The Hugging Face hub ({_host()}) refused {file.name} of '{snap.repo}' (HTTP {exc.code})."
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise HubUnreachable(f"Cannot reach the Hugging Face hub ({_host()}): {_reason(reason)}.") from None
    with response:
        if have and response.status != 206:
            raise _RangeIgnored
        try:
            out = open_private(part, "ab")
        except OSError as exc:
            raise ModelError(f"Cannot write {part}: {exc.strerror or exc}.") from None
        with out:
            while have < file.size:
                if cancel.is_set():
                    raise DownloadCancelled("Download cancelled; what arrived is kept for a resume.")
                try:
                    block = response.read(min(CHUNK, file.size - have))
                except (OSError, http.client.HTTPException):  # reset, timeout, incomplete read
                    raise _interrupted(file, have) from None
                if not block:
                    break
                _write(out, block, part)
                digest.update(block)
                git_digest.update(block)
                have += len(block)
                on_bytes(len(block))
            _write(out, b"", part, sync=True)
    if have < file.size:
        raise _interrupted(file, have)
    return have


def _write(out, block: bytes, part: Path, sync: bool = False) -> None:
    try:
        out.write(block)
        if sync:
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull(f"The disk is full ({part.parent}).") from None
        raise ModelError(f"Cannot write {part}: {exc.strerror or exc}.") from None


def _interrupted(file: HubFile, have: int) -> DownloadInterrupted:
    return DownloadInterrupted(
        f"The connection to the Hugging Face hub ({_host()}) broke during {file.name} "
        f"({have / 1e6:.0f} of {file.size / 1e6:.0f} MB)."
    )


def _reason(reason) -> str:
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    if isinstance(reason, socket.gaierror):
        return "the name does not resolve (offline?)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (offline?)"
    return str(getattr(reason, "strerror", None) or reason)


class Throughput:
    """Bytes per second over the last few seconds, for a speed and a time left."""

    def __init__(self, window_s: float = 4.0) -> None:
        self.window_s = window_s
        self._marks: list[tuple[float, int]] = []

    def add(self, done: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._marks.append((now, done))
        while len(self._marks) > 2 and now - self._marks[1][0] > self.window_s:
            self._marks.pop(0)

    def rate(self) -> float:
        if len(self._marks) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._marks[0], self._marks[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0
