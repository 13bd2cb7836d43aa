"""The .deb built and linted while the rest of the suite runs.

Freezing the app and linting the package take about 110 s of CPU; much of the suite waits on
speech played in real time or on desktops starting. The build starts when the tests are
collected, at the lowest CPU and I/O priority (every test process runs before it), and the
installer test runs last and installs what it made. The build is a process of its own that
writes its output and exit codes to files, so under pytest-xdist one worker starts it and
whichever worker is given the installer test reads it; no worker sits waiting on it while
the other runs the rest. Same build, same lint, same package: only the waiting overlaps.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Lowest CPU and I/O priority, in a session (so a scheduler autogroup) of its own made as idle:
# the kernel shares the CPU between autogroups first, and the apps the tests start through
# `dictation-app start` run in sessions of their own, so a build merely niced inside the test
# process's group still took half the CPU from them (9-s tests took 25-36 s beside it).
IDLE = ["sh", "-c", 'echo 19 > /proc/self/autogroup 2>/dev/null; exec nice -n 19 ionice -c 3 "$@"', "idle"]


def can_build() -> bool:
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("dpkg-deb", "apt-get", "lintian", "ionice"))


@dataclass(frozen=True)
class Built:
    """What the build left: the exit codes and output of ``build.sh deb`` and of lintian."""

    build_rc: int
    build_log: str
    deb: Path | None
    lint_log: str


def start_build(run_id: str) -> None:
    """``packaging/build.sh deb`` then lintian, in a process of its own writing to the run's folder."""
    folder = _folder(run_id)
    shutil.rmtree(folder.parent, ignore_errors=True)  # earlier runs' logs
    shutil.rmtree(ROOT / "build" / "deb", ignore_errors=True)
    for old in (ROOT / "build").glob("dictation-app_*.deb"):
        old.unlink()
    folder.mkdir(parents=True)
    # gzip -1: the same files in a package built in seconds (xz -6, the release's, takes minutes)
    env = {
        **os.environ,
        "VENV": os.environ.get("VENV", str(Path(sys.executable).parents[1])),
        "DEB_COMPRESSION": "gzip:1",
    }
    build = shlex.join(["bash", str(ROOT / "packaging" / "build.sh"), "deb"])
    lint = "lintian --tag-display-limit 0 build/dictation-app_*.deb"
    script = (
        f"{build} > build.log 2>&1; echo $? > build.rc.tmp; mv build.rc.tmp build.rc;"
        f" [ $(cat build.rc) = 0 ] && (cd {shlex.quote(str(ROOT))} && {lint}) > lint.log 2>&1;"
        " touch done"
    )
    subprocess.Popen(
        [*IDLE, "sh", "-c", script],
        cwd=folder,
        env=env,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for_build(run_id: str, timeout_s: float = 1800) -> Built:
    """What the build started at collection made, once it is done."""
    folder = _folder(run_id)
    assert folder.exists(), "no package build was started at collection (package_build.schedule)"
    deadline = time.monotonic() + timeout_s
    while not (folder / "done").exists():
        assert time.monotonic() < deadline, f"the package build did not end in {timeout_s:.0f} s"
        time.sleep(1)
    debs = sorted((ROOT / "build").glob("dictation-app_*.deb"))
    return Built(
        build_rc=int((folder / "build.rc").read_text()),
        build_log=(folder / "build.log").read_text(errors="replace"),
        deb=debs[0] if len(debs) == 1 else None,
        lint_log=(folder / "lint.log").read_text(errors="replace") if (folder / "lint.log").exists() else "",
    )


def _folder(run_id: str) -> Path:
    return ROOT / "build" / "test-deb" / run_id


def run_id(config) -> str:
    """The same for every worker of one pytest run (pytest-xdist's), new for each run."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return workerinput["testrunuid"]
    if not hasattr(config, "_deb_run_id"):
        config._deb_run_id = uuid.uuid4().hex
    return config._deb_run_id


def schedule(config, items: list) -> None:
    """Called at collection: the installer test goes last, and the build starts now, in one
    process (pytest's own, or the first worker: every worker collects)."""
    installer = [item for item in items if item.path.name == "test_installer.py"]
    if not installer or not can_build():
        return
    items[:] = [item for item in items if item not in installer] + installer
    if os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":
        start_build(run_id(config))
