"""The .deb as a user gets it: build, install with apt, run as an ordinary user, purge.

Slow (it freezes the app with PyInstaller) and needs root and dpkg: `.ci/run` has both and
must run it; elsewhere it is skipped. The package is built and linted while other tests run
(``package_build.py``).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DATA
from package_build import can_build, run_id, wait_for_build

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
USER = "dictation-tester"

#: lintian errors that come with a frozen bundle in /opt; each is explained in packaging/README.md.
ALLOWED_LINTIAN_ERRORS = {
    "dir-or-file-in-opt",  # the bundle lives in /opt/dictation-app, as asked
    "unstripped-binary-or-object",  # strip breaks numpy's OpenBLAS: not stripping is required
    "custom-library-search-path",  # wheels find their vendored libraries through $ORIGIN RPATHs
    "embedded-library",  # wheels carry their own copies (zlib, libpng, ...) under hashed names
    "library-not-linked-against-libc",  # a few prebuilt wheel libraries (ICU data, ...)
}


def _need_root_and_dpkg():
    if can_build():
        return
    if os.environ.get("CI"):
        pytest.fail("the installer test must run in CI: it needs root, dpkg-deb, apt-get and lintian")
    pytest.skip("needs root, dpkg-deb, apt-get and lintian (run by .ci/run)")


def run(*args, user=None, **kwargs):
    command = ["runuser", "-u", user, "--", *args] if user else list(args)
    return subprocess.run(command, capture_output=True, text=True, timeout=1800, **kwargs)


def test_deb_installs_runs_as_a_user_and_purges(request):
    _need_root_and_dpkg()
    build = wait_for_build(run_id(request.config))  # started at collection
    assert build.build_rc == 0 and build.deb is not None, build.build_log
    print(build.build_log)
    deb = build.deb

    print(build.lint_log)
    errors = {m.group(1) for m in re.finditer(r"^E: dictation-app[^:]*: (\S+)", build.lint_log, re.M)}
    assert errors <= ALLOWED_LINTIAN_ERRORS, build.lint_log

    installed = run(
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
        str(deb),
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    try:
        if run("id", USER).returncode != 0:
            assert run("useradd", "--create-home", USER).returncode == 0
        home = Path(run("sh", "-c", f"getent passwd {USER} | cut -d: -f6").stdout.strip())
        user_env = ["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", "LANG=C.UTF-8"]

        version = run(*user_env, "/usr/bin/dictation-app", "--version", user=USER)
        assert version.returncode == 0 and version.stdout.startswith("dictation-app "), version.stderr
        selftest = run(*user_env, "/usr/bin/dictation-app", "--self-test", user=USER)
        assert selftest.returncode == 0, selftest.stdout + selftest.stderr
        assert "self-test: OK" in selftest.stdout

        sample = Path("/tmp") / f"dictation-installer-{os.getpid()}.flac"
        shutil.copy(DATA / "1089-134686-0000.flac", sample)
        sample.chmod(0o644)
        try:
            result = run(*user_env, "/usr/bin/dictation-app", "transcribe", str(sample), user=USER)
        finally:
            sample.unlink()
        assert result.returncode == 0, result.stderr
        assert "stew for dinner" in result.stdout and "Traceback" not in result.stderr
        assert Path("/usr/share/applications/dictation-app.desktop").exists()
    finally:
        files = run("dpkg", "-L", "dictation-app").stdout.split()
        purged = run("apt-get", "purge", "-y", "dictation-app")
    assert purged.returncode == 0, purged.stderr
    left = [
        f
        for f in files
        if f.startswith(("/opt/dictation-app", "/usr/bin/dictation-app", "/usr/share/applications/dictation-app"))
        and os.path.lexists(f)
    ]
    assert left == [] and not Path("/opt/dictation-app").exists()
    assert run("dpkg", "-s", "dictation-app").returncode != 0
