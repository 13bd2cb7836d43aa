"""The .deb built and linted while the rest of the suite runs.

Freezing the app and linting the package take about 110 s of CPU; much of the suite waits on
speech played in real time or on desktops starting. The build runs at the lowest CPU and I/O
priority (every test process runs before it) while other tests run: in one pytest process it
starts when the installer test is collected and that test, moved to the end, installs what it
made; under pytest-xdist the installer test goes first on its worker and the other worker goes
on. Same build, same lint, same package: only the waiting overlaps.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Lowest CPU and I/O priority, in a session (so a scheduler autogroup) of its own made as idle:
# the kernel shares the CPU between autogroups first, and the apps the tests start through
# `dictation-app start` run in sessions of their own, so a build merely niced inside the test
# process's group still took half the CPU from them (9-s tests took 25-36 s beside it).
IDLE = ["sh", "-c", 'echo 19 > /proc/self/autogroup 2>/dev/null; exec nice -n 19 ionice -c 3 "$@"', "idle"]


def can_build() -> bool:
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("dpkg-deb", "apt-get", "lintian", "ionice"))


@dataclass
class Build:
    """``packaging/build.sh deb`` then lintian on the package, in a thread of the test process."""

    built: subprocess.CompletedProcess | None = None
    lint: subprocess.CompletedProcess | None = None
    deb: Path | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="deb build", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # gzip -1: the same files in a package built in seconds (xz -6, the release's, takes minutes)
        env = {
            **os.environ,
            "VENV": os.environ.get("VENV", str(Path(sys.executable).parents[1])),
            "DEB_COMPRESSION": "gzip:1",
        }
        shutil.rmtree(ROOT / "build" / "deb", ignore_errors=True)
        for old in (ROOT / "build").glob("dictation-app_*.deb"):
            old.unlink()
        self.built = _run([*IDLE, "bash", str(ROOT / "packaging" / "build.sh"), "deb"], env=env, cwd=ROOT)
        if self.built.returncode == 0:
            (self.deb,) = (ROOT / "build").glob("dictation-app_*.deb")
            self.lint = _run([*IDLE, "lintian", "--tag-display-limit", "0", str(self.deb)])

    def wait(self) -> Build:
        if self._thread is None:
            self.start()
        self._thread.join(timeout=1800)
        assert not self._thread.is_alive(), "the package build did not end in 30 minutes"
        return self


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=1800, start_new_session=True, **kwargs)


BUILD = Build()


def schedule(items: list) -> None:
    """Called at collection. In one pytest process, the installer test goes last and its build
    starts now. Under pytest-xdist every worker collects, and only the one given the installer
    test may build: that test goes first and builds, while the other worker runs the rest."""
    installer = [item for item in items if item.path.name == "test_installer.py"]
    if not installer or not can_build():
        return
    others = [item for item in items if item not in installer]
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items[:] = installer + others
    else:
        items[:] = others + installer
        BUILD.start()
