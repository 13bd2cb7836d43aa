"""Child processes of a frozen app get the user's environment back; the self-test."""

import os

from dictation_app.system import child_environment

from conftest import run_cli

BUNDLE = "/opt/dictation-app/_internal"


def test_child_environment_restores_what_the_bootloader_changed():
    frozen = {
        "LD_LIBRARY_PATH": f"{BUNDLE}:/home/u/lib",
        "LD_LIBRARY_PATH_ORIG": "/home/u/lib",
        "QT_PLUGIN_PATH": f"{BUNDLE}/PySide6/Qt/plugins",
        "PATH": "/usr/bin",
        "HOME": "/home/u",
    }
    env = child_environment(frozen, bundle=BUNDLE)
    assert env == {"LD_LIBRARY_PATH": "/home/u/lib", "PATH": "/usr/bin", "HOME": "/home/u"}
    unset_before = child_environment({"LD_LIBRARY_PATH": BUNDLE, "PATH": "/usr/bin"}, bundle=BUNDLE)
    assert unset_before == {"PATH": "/usr/bin"}
    assert child_environment({"LD_LIBRARY_PATH": "/x"}, bundle="") == {"LD_LIBRARY_PATH": "/x"}  # not frozen


def test_self_test_passes_from_source_and_leaves_nothing_behind(tmp_path):
    result = run_cli("--self-test", timeout=300, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test: OK" in result.stdout and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # its scratch data folder is removed
