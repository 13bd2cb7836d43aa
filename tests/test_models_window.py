"""The Models window, as a user without a terminal uses it: see the models, download one from a
(local) hub, watch it, cancel it, resume it, use it, remove it."""

import pytest
from local_hub import BASE

from dictation_app.core.model_manager import DownloadEnded
from dictation_app.engine import models as model_store
from dictation_app.engine.models import ModelStore

from conftest import make_window


@pytest.fixture
def manager_window(qtbot, gui_env, local_hub, monkeypatch):
    """A window whose store has no [base] extra: base is a download (from the local hub)."""
    monkeypatch.setattr(model_store, "_base_parts_installed", lambda: False)
    window = make_window(qtbot, gui_env, ModelStore(gui_env / "cache"))
    return window, window.show_models()


def _row(dialog, name: str) -> list[str]:
    row = next(i for i, info in enumerate(dialog.rows) if info.name == name)
    return [dialog.table.item(row, c).text() for c in range(dialog.table.columnCount())]


def test_download_watch_cancel_resume_use_and_remove_in_the_window(qtbot, manager_window, local_hub, tmp_path):
    window, dialog = manager_window
    ended: list[DownloadEnded] = []
    window.models.subscribe(lambda e: ended.append(e) if isinstance(e, DownloadEnded) else None)
    assert _row(dialog, "tiny.en")[0] == "tiny.en  (in use)" and _row(dialog, "tiny.en")[-1] == "Installed"
    assert _row(dialog, "base")[1:5] == ["99 languages", "~145 MB", "~324 MB", "5.0 / 12.4 %"]
    assert _row(dialog, "base")[-1] == "Not downloaded" and "Models folder:" in dialog.footer.text()

    local_hub.rate = 25e6  # about 6 s for base: time to watch it and to cancel it
    dialog.select("base")
    assert dialog.download_button.isEnabled() and not dialog.remove_button.isEnabled()
    dialog.download_button.click()
    # announced at once, before any byte: what, from where, how much
    assert dialog.status.text() == f"Downloading base from {local_hub.url} (about 145 MB)…"
    assert not dialog.download_button.isEnabled() and dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.bar.value() > 250, timeout=30_000)
    status = dialog.status.text()
    assert status.startswith("Downloading base: ") and " of 148 MB · " in status and "MB/s" in status
    assert status.endswith(" s left")
    dialog.grab().save(str(tmp_path / "models-downloading.png"))
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)
    assert ended[-1].cancelled and not dialog.bar.isVisible()
    stopped = _row(dialog, "base")[-1]
    assert stopped.startswith("Stopped at ") and 25 <= int(stopped.split()[2]) < 100
    assert dialog.download_button.text() == "&Resume download" and dialog.remove_button.isEnabled()

    local_hub.rate = None
    dialog.download_button.click()
    assert "going on from" in dialog.status.text()
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=60_000)
    assert ended[-1].ok and _row(dialog, "base")[-1] == "Installed"
    assert [r for r in local_hub.ranges("model.bin") if r] != []  # the second request went on from the first
    qtbot.waitUntil(lambda: window.model_box.findText("base") >= 0, timeout=10_000)  # the picker offers it

    dialog.use_button.click()
    assert window.settings.value("model/name") == "base" and _row(dialog, "base")[0] == "base  (in use)"
    qtbot.waitUntil(lambda: window.model_name == "base" and window.model is not None, timeout=60_000)
    qtbot.waitUntil(lambda: window.model_box.currentText() == "base", timeout=10_000)  # the toolbar says so too
    assert window.model.model.is_multilingual
    dialog.remove_selected()
    assert "in use" in dialog.status.text() and _row(dialog, "base")[-1] == "Installed"

    dialog.select("tiny.en")
    dialog.use_button.click()
    qtbot.waitUntil(lambda: window.model_name == "tiny.en", timeout=60_000)
    dialog.select("base")
    dialog.confirm = lambda text: "Remove base from this computer?" in text
    dialog.remove_button.click()
    assert dialog.status.text().startswith("base removed (1") and _row(dialog, "base")[-1] == "Not downloaded"


def test_a_failed_download_is_said_and_never_becomes_the_model(qtbot, manager_window, local_hub):
    window, dialog = manager_window
    ended: list[DownloadEnded] = []
    window.models.subscribe(lambda e: ended.append(e) if isinstance(e, DownloadEnded) else None)
    local_hub.corrupt["model.bin"] = 100
    dialog.select("base")
    dialog.download_button.click()
    qtbot.waitUntil(lambda: bool(ended), timeout=60_000)
    assert not ended[-1].ok and "not the hub's file" in dialog.status.text()
    assert _row(dialog, "base")[-1] != "Installed" and not dialog.use_button.isEnabled()
    assert window.settings.value("model/name") == "tiny.en"
    assert BASE in local_hub.repos
