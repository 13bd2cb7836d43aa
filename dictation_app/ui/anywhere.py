"""Dictation anywhere: the control socket, the global shortcut, the overlay and the tray, and
the words of a dictation delivered to the application that had the focus when it started.

A dictation started while the app's own window is active writes into its editor, as the
Record button does. One started from the shortcut, the tray or ``dictation-app start`` while
another application has the focus goes to that application: its committed words as they
commit (``anywhere/insert`` = live), or the whole recording transcribed with the file path
when it stops (on_finish). The editor and the session journal get the words in any case, so
nothing said is lost when the target refuses it.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from dictation_app.anywhere.control import ControlError, ControlServer
from dictation_app.anywhere.delivery import Delivered, Delivery, Held, Refused, Target, Waiting
from dictation_app.anywhere.live_typing import LiveTyping
from dictation_app.anywhere.desktop import Desktop
from dictation_app.anywhere.targets import delivery_for, focused_target
from dictation_app.errors import DictationError
from dictation_app.ui.shortcut import ShortcutBinder
from dictation_app.ui.tray import Tray
from dictation_app.ui.widgets.overlay import Overlay
from dictation_app.ui.workers.tasks import run_task

__all__ = ["AnywhereController"]

_AFTER = {"space": " ", "newline": "\n", "nothing": ""}
FINAL_TEXT = "final.txt"  # on-finish text, in the session folder


class AnywhereController(QObject):
    """Args:
        window: The main window (its dictation, service, settings and poster).
        desktop: The desktop (default: detected from the environment).
        listen: Open the control socket and grab the shortcut (tests of the overlay alone don't).
    """

    def __init__(self, window, desktop: Desktop | None = None, listen: bool = True) -> None:
        super().__init__(window)
        self.window, self.settings = window, window.settings
        self.desktop = desktop or Desktop.detect()
        self.overlay = Overlay()
        self.overlay.cancel_requested.connect(self.cancel)
        self.tray: Tray | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(self)
            self.tray.toggle_requested.connect(self.toggle)
            self.tray.mode_chosen.connect(lambda mode: self.settings.set_value("anywhere/insert", mode))
            self.tray.show_requested.connect(self.show_window)
            self.tray.quit_requested.connect(self.quit)
            self.tray.set_mode(self.settings.value("anywhere/insert"))
            self.tray.show()
        self.server: ControlServer | None = None
        self.shortcut = ShortcutBinder(self.desktop, window._poster.post, self)
        self.shortcut.pressed.connect(self._shortcut_pressed)
        self.shortcut.released.connect(self._shortcut_released)
        self.shortcut.problem.connect(window.show_problem)
        self.target: Target | None = None
        self._next_target: Target | None = None  # captured by start(); Record in the window has none
        self.delivery: Delivery | None = None
        self.mode, self._history = "live", None  # _history: the dictation's history entry
        self.typing = LiveTyping(None, False)
        self._start_when_ready = False
        self._quitting = False
        self._keys_held = False  # the push-to-talk chord is down
        self._escape = None  # Esc grabbed while dictating into another application (X11)
        self.timings: dict[str, float] = {}  # what bench_anywhere.py reads through `status`
        self._asked_at = 0.0
        window.dictation_begun.connect(self._begun)
        window.service.subscribe(self._service_event)
        window.close_to_tray = lambda: (self.tray is not None and not self._quitting
                                        and self.settings.value("anywhere/keep_in_tray"))
        self.settings.changed.connect(self._setting_changed)
        self.armed = None  # ArmedMicrophone while pre-roll is on
        self._arming = False
        if listen:
            self._listen()
            self.apply_preroll()

    # -- outside control ------------------------------------------------------------------

    def _listen(self) -> None:
        try:
            self.server = ControlServer(self.handle, self.window._poster.post)
        except (ControlError, OSError) as exc:
            self.window.show_problem(self.tr("Remote control is off: %s") % exc)
        self.shortcut.bind(self.settings.value("anywhere/shortcut").strip())

    def _shortcut_pressed(self, pressed_at: float) -> None:
        push_to_talk = self.settings.value("anywhere/shortcut_mode") == "push_to_talk"
        if push_to_talk and self.window.dictation is not None:
            return  # already listening
        self._keys_held = push_to_talk  # words wait until the chord is released (its modifiers)
        self.toggle(asked_at=pressed_at)

    def _shortcut_released(self) -> None:
        if self._keys_held:
            self._keys_held = False
            if self.delivery is not None:
                self.delivery.hold_keys(False)
            self.stop()

    def _setting_changed(self, key: str) -> None:
        if key == "anywhere/shortcut" and self.server is not None:
            self.shortcut.bind(self.settings.value(key).strip())
        elif key == "anywhere/insert" and self.tray is not None:
            self.tray.set_mode(self.settings.value(key))
        elif key in ("anywhere/preroll", "dictation/input_device") and self.window.dictation is None:
            self.apply_preroll(restart=key == "dictation/input_device")

    def _wants_preroll(self) -> bool:
        return bool(self.settings.value("anywhere/preroll")) and self.window._uses_microphone

    def apply_preroll(self, restart: bool = False) -> None:
        """Arm or disarm the microphone as the pre-roll setting says (only for a real
        microphone). Opening it starts PortAudio, which is slow the first time: on a worker."""
        from dictation_app.audio.preroll import ArmedMicrophone

        wanted = self._wants_preroll()
        if self.armed is not None and (restart or not wanted):
            self.armed.disarm()
            self.armed = None
            self.window.source_factory = self.window._microphone
        if wanted and self.armed is None and not self._arming:
            self._arming = True
            armed = ArmedMicrophone(self.window.options().input_device)
            run_task(self, armed.arm, lambda _: self._armed(armed), self._not_armed)
        self._show_idle()

    def _armed(self, armed) -> None:
        self._arming = False
        if not self._wants_preroll() or self.armed is not None:
            armed.disarm()  # turned off (or on twice) while the microphone was opening
        else:
            self.armed = armed
            self.window.source_factory = armed.source
        self._show_idle()

    def _not_armed(self, message: str) -> None:
        self._arming = False
        self._show_idle()
        self.window.show_problem(self.tr("Pre-roll is off: %s") % message)

    def _show_idle(self) -> None:
        """Between dictations: the signs say whether the microphone is armed."""
        self._signs(False)
        if self.window.mic_sign.armed:
            self.overlay.show_armed()
        elif not self.overlay.held:
            self.overlay.hide()

    def _signs(self, open_: bool) -> None:
        """The window, the tray and the overlay say whether the microphone is open, or armed
        (from the moment pre-roll starts opening it)."""
        armed = self.armed is not None or self._arming
        self.window.mic_sign.set(open_, armed)
        if self.tray is not None:
            self.tray.set_recording(open_, armed)
        self.overlay.set_microphone(open_, armed)

    def handle(self, command: str) -> dict:
        """A control-socket command (on the GUI thread); the answer is the status after it."""
        asked_at = time.perf_counter()
        simple = {"start": lambda: self.start(asked_at), "stop": self.stop, "toggle": lambda: self.toggle(asked_at),
                  "cancel": self.cancel, "show": self.show_window}
        if command in simple:
            simple[command]()
        elif command == "quit":
            self._quitting = True
            self.window._poster.post(self.quit)
        return self.status()

    def status(self) -> dict:
        return {"running": True, "state": self.window.service.state.value, "dictating": self.window.dictation is not None,
                "model": self.window.model_name, "target": self.target.label if self.target else "",
                "mode": self.mode, "held": self.delivery.held_text if self.delivery else "",
                "timings": dict(self.timings)}

    # -- starting and stopping ------------------------------------------------------------

    def start(self, asked_at: float | None = None) -> None:
        """Dictate into the application that has the focus now (this window: its editor)."""
        if self.window.dictation is not None:
            return
        self._asked_at = asked_at or time.perf_counter()
        self._next_target = self._focused_target()
        if self.window.model is None:
            self._start_when_ready = True  # the model is still loading: start as soon as it is in
            return
        self.window.toggle_recording()

    def stop(self) -> None:
        """Stop; in on-finish mode the live tail is not decoded, the recording is instead."""
        self._start_when_ready = False  # a start still waiting for the model is called off too
        if self.window.dictation is not None:
            self.timings["stop_asked"] = time.perf_counter()
            whole = self.mode == "on_finish" and self.delivery is not None and not self.typing.cancelled
            self.window.stop_dictation(decode_tail=not whole)

    def toggle(self, asked_at: float | None = None) -> None:
        if self.window.dictation is not None:
            self.stop()
        else:
            self.start(asked_at)

    def cancel(self) -> None:
        """Stop; nothing more is typed (the recording and the editor keep what was said)."""
        self.typing.cancelled = True
        self.stop()

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def quit(self) -> None:
        """Quit from the tray or ``dictation-app quit``: nobody may be at the window, so
        unsaved documents are kept as autosaves (offered at the next start), not asked about."""
        self._quitting = True
        self.window.ask_on_close = False
        self.window.close()
        self.window.ask_on_close = True
        if self.window.isVisible():
            self._quitting = False  # the user kept it open (files still being transcribed)
            return
        self.shutdown()
        QApplication.quit()

    def shutdown(self) -> None:
        if self.armed is not None:
            self.armed.disarm()
            self.armed = None
        if self.server is not None:
            self.server.close()
            self.server = None
        self.shortcut.close()
        self.overlay.hide()

    def _focused_target(self) -> Target | None:
        """The application with the focus now, or None when it is this app's own window."""
        on_desktop = QGuiApplication.platformName() not in ("offscreen", "minimal")
        if (on_desktop and QApplication.activeWindow() is not None) or self.desktop.session == "none":
            return None
        return focused_target(self.desktop)

    # -- one dictation --------------------------------------------------------------------

    @Slot(object)
    def _begun(self, worker) -> None:
        self.target, self._next_target = self._next_target, None
        worker.dictation.destination = self.target.label if self.target else "editor"  # for its history entry
        self._history = worker.dictation.history
        self.mode = self.settings.value("anywhere/insert")
        self.timings = {}
        worker.started.connect(self._microphone_open, Qt.ConnectionType.DirectConnection)
        worker.committed.connect(self._committed)
        worker.edited.connect(self._edited)
        worker.partial.connect(self.overlay.set_tentative)
        worker.level.connect(self.overlay.set_level)
        worker.finished.connect(self._finished)
        self._signs(True)
        self.overlay.begin(self.target.label if self.target else "")
        if self.target is not None:
            self.delivery = self.new_delivery(self.target)
            self.delivery.hold_keys(self._keys_held)
            self._grab_escape()
        self.typing = LiveTyping(self.delivery, self.mode == "live", self.settings.value("anywhere/correct"))

    def new_delivery(self, target: Target) -> Delivery:
        post = self.window._poster.post
        return delivery_for(self.desktop, target, lambda event: post(lambda: self._delivery_event(event)),
                            self.settings.value("anywhere/method"), self.settings.value("anywhere/paste_key").strip())

    def _microphone_open(self, folder: str) -> None:  # on the dictation thread, at once
        now = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes (bench_anywhere)
        self.timings["microphone_at"] = now
        self.timings["microphone_s"] = now - self._asked_at

    def _committed(self, words) -> None:
        self.typing.committed(words)
        self.overlay.set_committed(self.typing.text)

    def _edited(self, event) -> None:
        self.typing.revised(event)
        self.overlay.set_committed(self.typing.text)

    def _grab_escape(self) -> None:
        """Esc cancels a dictation into another application: the overlay never has the focus,
        so on X11 the key is grabbed while the dictation runs (and only then)."""
        from dictation_app.anywhere.hotkey import HotkeyError, X11Hotkey

        if self.desktop.session != "x11":
            return
        post = self.window._poster.post
        try:
            self._escape = X11Hotkey("Escape", lambda: post(self.cancel), None, self.desktop.x_display)
        except HotkeyError:
            self._escape = None  # another program holds Esc: the Cancel button and the shortcut remain

    def _finished(self, folder: str) -> None:
        if self._escape is not None:
            self._escape.close()
            self._escape = None
        self._signs(False)
        delivery, self.delivery = self.delivery, None
        if delivery is None:
            self._show_idle()
            return
        self.delivery = delivery  # still shown in status until it is done
        trailer = _AFTER.get(self.settings.value("anywhere/after"), " ")
        if self.typing.cancelled or not folder:
            run_task(self, delivery.finish, lambda _: self._delivered_all(delivery), self.window.show_problem)
        elif self.mode == "on_finish":
            self._transcribe_and_send(delivery, Path(folder), trailer)
        else:
            if delivery.delivered or self.typing.started:
                delivery.send(trailer)
            run_task(self, delivery.finish, lambda _: self._delivered_all(delivery), self.window.show_problem)

    def _transcribe_and_send(self, delivery: Delivery, folder: Path, trailer: str) -> None:
        """The recording through the file path (offline accuracy; no word timestamps, which
        only the file's transcript needs), kept in the session folder as ``final.txt`` and sent;
        if that fails, the live words of the dictation go instead."""
        from dataclasses import replace

        from dictation_app.audio.recorder import AUDIO_NAME
        from dictation_app.engine.transcriber import FileTranscriber
        from dictation_app.fileio import open_private

        options = replace(self.window.options().transcribe, word_timestamps=False)
        transcriber = FileTranscriber(self.window.model, self.window.model_name)
        live_text = self.overlay_text()

        def transcribe_and_deliver() -> None:
            try:
                text = transcriber.transcribe(folder / AUDIO_NAME, options).text.strip()
            except DictationError:
                text = live_text
            if text:
                delivery.send(text + trailer)
                try:
                    with open_private(folder / FINAL_TEXT, "w", encoding="utf-8") as f:
                        f.write(text + "\n")
                except OSError:
                    pass  # the recording and the journal are there; the text was sent
            delivery.finish()

        self.overlay.set_state(self.tr("transcribing the recording…"))
        run_task(self, transcribe_and_deliver, lambda _: self._delivered_all(delivery), self.window.show_problem)

    def overlay_text(self) -> str:
        """What this dictation committed live (the editor has it too)."""
        return self.typing.text

    def _delivered_all(self, delivery: Delivery) -> None:
        if self.delivery is delivery:
            self.delivery = None
        if not delivery.held:
            self._show_idle()

    def _delivery_event(self, event) -> None:
        if isinstance(event, Delivered):
            self.timings.setdefault("first_delivery_s", event.seconds)
            self.timings["last_delivery_s"] = event.seconds
            self.timings["last_delivered"] = time.perf_counter()
            self.timings["method"] = event.method  # type: ignore[assignment]
            if "stop_asked" in self.timings:
                self.timings["stop_to_text_s"] = time.perf_counter() - self.timings["stop_asked"]
        elif isinstance(event, Refused):
            message = self.tr("'%s' was not done: %s. What was typed stays.") % (event.command, event.reason)
            self.overlay.set_state(message)
            self.window.show_message(message)
        elif isinstance(event, Waiting):
            self.overlay.set_state(self.tr("waiting for %s to have the focus") % event.target.label)
        elif isinstance(event, Held):
            held = self.delivery.held_text if self.delivery is not None else event.text.strip()
            self.overlay.set_held(held, event.reason)
            if self._history is not None:
                self._history.set_destination(f"{event.reason} (the text is kept here)")
            self.overlay.show()
            self.window.show_message(event.reason)

    def _service_event(self, event) -> None:
        from dictation_app.core.dictation import ModelReady, StateChanged

        if isinstance(event, StateChanged):
            self.overlay.set_state(event.state.value)
        elif isinstance(event, ModelReady) and self._start_when_ready:
            self._start_when_ready = False
            if self.window.dictation is None:
                self.window.toggle_recording()  # to the target captured when start was asked
