"""Usable with a screen reader: every control a user can reach with the keyboard has a name,
checked the way a screen reader reads the app (its AT-SPI tree on the accessibility bus) and,
for every window and dialog, through Qt's own accessibility interface."""

from __future__ import annotations

import subprocess
import sys
import time

from dictation_app.ui.accessible import unnamed

from atspi import Accessibility, Announcements
from conftest import make_settings, make_window
from desktops import _end_group, _session_bus, need


def _label(widget) -> str:
    return f"{type(widget).__name__} under {type(widget.parentWidget()).__name__} ({widget.toolTip()[:40]!r})"


def test_every_control_of_every_window_and_dialog_has_a_name(qtbot, gui_env, model_store, data_dir):
    from dictation_app.engine import FileTranscriber
    from dictation_app.ui.widgets.preferences import PreferencesDialog

    window = make_window(qtbot, gui_env, model_store)
    transcript = FileTranscriber(window.model, "tiny.en").transcribe(data_dir / "jfk.flac")
    window.docs.open_transcript(transcript)  # the transcript editor's controls too
    models = window.show_models()
    preferences = PreferencesDialog(make_settings(gui_env), window)
    qtbot.addWidget(preferences)
    preferences.show()
    found = {"window": unnamed(window), "Models": unnamed(models)}
    for page in range(preferences.tabs.count()):
        preferences.tabs.setCurrentIndex(page)
        found[f"Preferences, {preferences.tabs.tabText(page)}"] = unnamed(preferences)
    assert {where: [_label(w) for w in ws] for where, ws in found.items() if ws} == {}
    # combo boxes say what they are for, then their value
    assert window.model_box.accessibleName() == "Model" and window.language_box.accessibleName() == "Language"


def test_a_screen_reader_finds_every_control_named_and_hears_the_microphone(x11, virtual_mic, tmp_path, data_dir):
    """The running app on a real accessibility bus (at-spi2-core), as orca reads it: no
    focusable control without a name, in the window, the Models window (Ctrl+M) and on each
    page of Preferences (Ctrl+,); by the keyboard alone, each step announced: dictation started and stopped (F9), a
    file opened (File > Open by its mnemonics, the path typed), its transcript exported (Ctrl+E),
    the history searched (Ctrl+3, Enter) and the entry found opened (Enter)."""
    need("dbus-daemon", "xdotool")
    env = {**x11, "XDG_RUNTIME_DIR": virtual_mic["XDG_RUNTIME_DIR"], "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1"}
    env.update(DICTATION_APP_DATA_DIR=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    bus, address = _session_bus(env)
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    app = subprocess.Popen([sys.executable, "-m", "dictation_app"], env=env, stdout=subprocess.DEVNULL)
    a11y = heard = None
    try:
        a11y = Accessibility(address)
        record = a11y.find("push button", "Record", timeout=60, application="dictation-app")
        problems = _unnamed_nodes(a11y)
        heard = Announcements(a11y)
        deadline = time.monotonic() + 60
        while "enabled" not in a11y.states(record):  # the model loaded, the microphones listed
            assert time.monotonic() < deadline, "Record never became available"
            time.sleep(0.2)

        def key(*keys: str) -> None:
            subprocess.run(["xdotool", "key", "--delay", "150", *keys], env=env, check=True)
            time.sleep(0.3)  # a menu or dialog opens

        def type_in(text: str) -> None:
            subprocess.run(["xdotool", "type", "--delay", "20", text], env=env, check=True)
            key("Return")

        # the window shown: another top-level of the app's has the same name and is never activated
        activate = ["xdotool", "search", "--onlyvisible", "--name", "^Dictation$", "windowactivate", "--sync"]
        subprocess.run(activate, env=env, timeout=30)
        key("F9")
        heard.wait_for("The microphone is open: dictation is listening")
        key("F9")
        heard.wait_for("The microphone is closed")
        # the Models window, opened from the keyboard (File > Models…, Ctrl+M)
        key("ctrl+m")
        a11y.find("dialog", "Models — Dictation", timeout=20, application="dictation-app")
        problems += _unnamed_nodes(a11y)
        key("Escape")  # the Models window closes
        key("ctrl+comma")  # and Preferences (File > Preferences…), each of its pages
        a11y.find("dialog", "Preferences — Dictation", timeout=20, application="dictation-app")
        problems += _unnamed_nodes(a11y)
        key("ctrl+Tab")  # the Voice page
        problems += _unnamed_nodes(a11y)
        key("ctrl+Tab")  # the Modes page
        problems += _unnamed_nodes(a11y)
        assert problems == []
        key("Escape")

        key("alt+f", "o")  # File > Open
        a11y.find("dialog", "Open audio, video or transcripts — Dictation", timeout=20, application="dictation-app")
        type_in(str(data_dir / "jfk.flac"))
        heard.wait_for("Transcript of jfk.flac ready", timeout=60)
        key("ctrl+e")  # File > Export…, the transcript shown
        a11y.find("dialog", "Export — Dictation", timeout=20, application="dictation-app")
        exported = tmp_path / "jfk.srt"
        key("ctrl+a")
        type_in(str(exported))
        heard.wait_for(f"Exported to {exported}")
        assert "ask not what your country" in exported.read_text(encoding="utf-8").lower()

        key("ctrl+3")  # View > History Search
        type_in("country")
        heard.wait_for("1 entry")
        key("Return")  # the entry opens as a transcript of its own, the keyboard in it
        heard.wait_for("Opened jfk.flac")
    finally:
        for closing in (heard, a11y):
            if closing is not None:
                closing.close()
        subprocess.run([sys.executable, "-m", "dictation_app", "quit"], env=env, capture_output=True, timeout=60)
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
        _end_group(bus)


def _unnamed_nodes(a11y: Accessibility) -> list[str]:
    """Focusable, showing nodes of the app that a screen reader would announce without a name."""
    time.sleep(0.5)  # a dialog's children appear just after it
    out = []
    for top in a11y.walk(depth=1):
        if top.role != "application" or top.name != "dictation-app":
            continue
        for node in a11y.walk(top.bus_name, top.path):
            if node.role in ("list item", "page tab", "cell", "table cell", "menu item"):
                continue  # read by their text (a cell with its column header; an empty one is empty)
            states = a11y.states(node)
            if not {"focusable", "showing"} <= states:
                continue
            if not node.name.strip():
                out.append(f"{node.role} {node.path}")
            elif node.role == "combo box" and not _description(a11y, node):  # its name is its value
                out.append(f"combo box {node.name!r} says what is chosen, not what for")
    return out


def _description(a11y: Accessibility, node) -> str:
    props = ("org.freedesktop.DBus.Properties", "Get", "ss", ("org.a11y.atspi.Accessible", "Description"))
    (value,) = a11y._call(node.bus_name, node.path, *props)
    return value[1]


def test_at_double_font_size_the_window_and_dialogs_fit_a_1280_by_800_screen(qtbot, gui_env, model_store, qapp):
    """Large fonts (the desktop's 200 %): nothing asks for more room than a small laptop has
    (a long hint beside the queue's buttons once made the window 1458 px wide)."""
    from dictation_app.ui.widgets.preferences import PreferencesDialog

    font = qapp.font()
    doubled = type(font)(font)
    doubled.setPointSizeF(font.pointSizeF() * 2)
    qapp.setFont(doubled)
    try:
        window = make_window(qtbot, gui_env, model_store, load=False)
        preferences = PreferencesDialog(make_settings(gui_env), window)
        qtbot.addWidget(preferences)
        preferences.show()
        sizes = {"window": window.minimumSizeHint(), "Models": window.show_models().minimumSizeHint()}
        sizes["Preferences"] = preferences.minimumSizeHint()
        too_big = {k: (s.width(), s.height()) for k, s in sizes.items() if s.width() > 1280 or s.height() > 800}
        assert too_big == {}
    finally:
        qapp.setFont(font)
