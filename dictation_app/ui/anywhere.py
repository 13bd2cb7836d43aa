"""Dictation anywhere, the remote: the control socket, the global shortcut, the overlay and the
tray, which start, stop and cancel dictations and show what they do.

A dictation started while the app's own window is active writes into its editor, as the
Record button does. One started from the shortcut, the tray or ``dictation-app start`` while
another application has the focus goes to that application too: the core's typing stage
(:class:`~dictation_app.core.typing.Typing`) is handed to the dictation, and types its words
from the dictation's thread through the delivery's own (live, or the whole recording when it
stops). The editor and the session journal get the words in any case, so nothing said is lost
when the target refuses it.
"""

from __future__ import annotations

import time
from enum import Enum

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from dictation_app.anywhere.control import ControlError, ControlServer
from dictation_app.anywhere.delivery import Delivery, Held, Refused, Target, Waiting
from dictation_app.anywhere.desktop import Desktop, Session
from dictation_app.anywhere.notice import DesktopNotice
from dictation_app.anywhere.targets import delivery_for, focused_target
from dictation_app.core.modes import Mode, ModeTable
from dictation_app.core.options import AnywhereOptions, ShortcutMode, anywhere_options, with_mode
from dictation_app.core.stages import VoiceStage
from dictation_app.core.typing import Typing, TypingDone, TypingState, TypingStateChanged
from dictation_app.engine.events import Commit
from dictation_app.engine.ledger import CommitLedger
from dictation_app.errors import DictationError
from dictation_app.ui.shortcut import ShortcutBinder
from dictation_app.ui.tray import Tray
from dictation_app.ui.widgets.overlay import Overlay
from dictation_app.ui.workers.tasks import run_task

__all__ = ["AnywhereController", "RemoteState"]

STOP_CHORD_S = 2.0  # the longest a stopping portal shortcut's release is waited for before typing goes on


class RemoteState(Enum):
    """Where the remote stands (one field, not a set of flags)."""

    IDLE = "idle"
    WAITING_FOR_MODEL = "waiting for the model"  # asked to start while the model loads
    DICTATING = "dictating"
    DELIVERING = "typing the rest"  # the dictation ended; its typing stage is finishing
    QUITTING = "quitting"


class AnywhereController(QObject):
    """Args:
    window: The main window (its dictation service, settings and poster).
    desktop: The desktop (default: detected from the environment).
    listen: Open the control socket and grab the shortcut (tests of the overlay alone don't).
    """

    def __init__(self, window, desktop: Desktop | None = None, listen: bool = True) -> None:
        super().__init__(window)
        self.window, self.settings = window, window.settings
        self.desktop = desktop or Desktop.detect()
        self.state = RemoteState.IDLE
        self.overlay = Overlay()
        self.overlay.cancel_requested.connect(self.cancel)
        self.notice = DesktopNotice(self.tr("Dictation"))
        self.tray: Tray | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(self)
            self.tray.toggle_requested.connect(self.toggle)
            self.tray.mode_chosen.connect(lambda mode: self.settings.set_value("anywhere/insert", mode))
            self.tray.show_requested.connect(self.show_window)
            self.tray.quit_requested.connect(self.quit)
            self.tray.set_mode(self.options().insert.value)
            self.tray.writing_mode_chosen.connect(self.pick_mode)
            self.tray.show()
        self.server: ControlServer | None = None
        self.shortcut = ShortcutBinder(self.desktop, window.post, self)
        self.shortcut.pressed.connect(self._shortcut_pressed)
        self.shortcut.released.connect(self._shortcut_released)
        self.shortcut.problem.connect(window.show_problem)
        self.typing: Typing | None = None  # the dictation's typing into another application, until it is done
        self._next_target: Target | None = None  # captured by start(); Record in the window has none
        self._shown = CommitLedger()  # the dictation's words, as the overlay shows them
        self._keys_held = False  # the push-to-talk chord is down
        self._stop_chord: Delivery | None = None  # the typing that waits for a stopping chord's release
        self._escape = None  # Esc grabbed while dictating into another application (X11)
        self.timings: dict[str, float] = {}  # what bench_anywhere.py reads through `status`
        self._asked_at = 0.0
        self._mode = None  # the mode of the dictation into another application
        self._voice: VoiceStage | None = None  # its voice stage (a mode picked meanwhile changes its style)
        self.picked_mode = ""  # a mode picked in the tray or by `mode NAME` ("": by the rules)
        self._model_asked = ""  # a model loading for a mode's dictation
        self._models_failed: set[str] = set()  # models a mode asked for that could not load (said once)
        self._offer_modes()
        window.dictation_begun.connect(self._begun)
        window.service.subscribe(self._service_event)
        window.set_close_to_tray(
            lambda: self.tray is not None and self.state != RemoteState.QUITTING and self.options().keep_in_tray
        )
        self.settings.changed.connect(self._setting_changed)
        self.armed = None  # ArmedMicrophone while pre-roll is on
        self._arming = False
        if listen:
            self._listen()
            self.apply_preroll()

    def options(self) -> AnywhereOptions:
        return anywhere_options(self.settings.value)

    # -- outside control ------------------------------------------------------------------

    def _listen(self) -> None:
        try:
            self.server = ControlServer(self.handle, self.window.post)
        except (ControlError, OSError) as exc:
            self.window.show_problem(self.tr("Remote control is off: %s") % exc)
        self.shortcut.bind(self.options().shortcut)

    def _shortcut_pressed(self, pressed_at: float) -> None:
        push_to_talk = self.options().shortcut_mode == ShortcutMode.PUSH_TO_TALK
        if push_to_talk and self.window.dictation is not None:
            return  # already listening
        if not push_to_talk and self.typing is not None and self.window.dictation is not None:
            # The press that stops: the last words wait for the chord's release, else they go
            # in under its modifiers (Ctrl+Alt+A...); where a release may never be told (a
            # portal), they go in after STOP_CHORD_S anyway.
            self.typing.delivery.hold_keys(True)
            self._stop_chord = self.typing.delivery
            if not self.shortcut.tells_release:
                QTimer.singleShot(int(STOP_CHORD_S * 1000), self._stop_chord_up)
        self._keys_held = push_to_talk  # words wait until the chord is released (its modifiers)
        self.toggle(asked_at=pressed_at)

    def _shortcut_released(self) -> None:
        self._stop_chord_up()
        if self._keys_held:
            self._keys_held = False
            if self.typing is not None:
                self.typing.delivery.hold_keys(False)
            self.stop()

    def _stop_chord_up(self) -> None:
        if self._stop_chord is not None:
            self._stop_chord.hold_keys(False)
            self._stop_chord = None

    def _setting_changed(self, key: str) -> None:
        if key == "anywhere/shortcut" and self.server is not None:
            self.shortcut.bind(self.options().shortcut)
        elif key == "anywhere/insert" and self.tray is not None:
            self.tray.set_mode(self.options().insert.value)
        elif key in ("anywhere/preroll", "dictation/input_device") and self.window.dictation is None:
            self.apply_preroll(restart=key == "dictation/input_device")
        elif key.startswith("modes/"):
            self._offer_modes()

    def _offer_modes(self) -> None:
        if self.tray is not None:
            modes = self.window.options().modes
            self.tray.set_writing_modes([m.name for m in modes.modes], self.picked_mode)

    def mode_for(self, target: Target, modes: ModeTable) -> Mode:
        """The mode picked in the tray, else the one the rules choose for ``target``."""
        picked = modes.get(self.picked_mode) if self.picked_mode else None
        return picked or modes.choose(target.app, target.title)[0]

    def pick_mode(self, name: str) -> None:
        """A mode picked in the tray or by ``dictation-app mode NAME``: the dictation under way
        (from its next word, its style) and those to come are written in it ("" or "auto": as
        the rules say); raises DictationError for a name that is no mode."""
        if name.lower() in ("", "auto"):
            name = ""
        else:
            modes = self.window.options().modes
            mode = modes.get(name)
            if mode is None:
                known = ", ".join(m.name for m in modes.modes)
                raise DictationError(f"There is no mode called {name!r}; there are: {known}, and auto.")
            name = mode.name
        self.picked_mode = name
        if name and self.typing is not None and self._voice is not None and self.window.dictation is not None:
            self._mode = self.window.options().modes.get(name)  # this dictation too, from its next word
            self._voice.switch_style(self._mode.style)
            self.overlay.set_destination(self.typing.target.label, name)
        if self.tray is not None and name in self.tray.writing_actions:
            self.tray.writing_actions[name].setChecked(True)
        self.window.show_message(
            self.tr("Dictations are written in %s mode.") % name
            if name
            else self.tr("Each dictation is written in the mode your rules choose for its application.")
        )

    def _wants_preroll(self) -> bool:
        return self.options().preroll and self.window.uses_microphone

    def apply_preroll(self, restart: bool = False) -> None:
        """Arm or disarm the microphone as the pre-roll setting says (only for a real
        microphone). Opening it starts PortAudio, which is slow the first time: on a worker."""
        from dictation_app.audio.preroll import ArmedMicrophone

        wanted = self._wants_preroll()
        if self.armed is not None and (restart or not wanted):
            self.armed.disarm()
            self.armed = None
            self.window.use_source(None)
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
            self.window.use_source(armed.source)
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
            self.tray.set_recording(open_, armed, self._mode.name if open_ and self.typing and self._mode else "")
        self.overlay.set_microphone(open_, armed)
        if self._needs_notice:  # neither the tray nor the overlay can show it (GNOME)
            if open_ and self.typing is not None:  # into another application (the window shows its own)
                where = self.typing.target.label
                self.notice.show(self.tr("Dictation: microphone on"), self.tr("Words go into %s.") % where)
            else:
                self.notice.close()

    @property
    def _needs_notice(self) -> bool:
        return self.tray is None and self.overlay.takes_focus

    def handle(self, command: str) -> dict:
        """A control-socket command (on the GUI thread); the answer is the status after it."""
        asked_at = time.perf_counter()
        simple = {
            "start": lambda: self.start(asked_at),
            "stop": self.stop,
            "toggle": lambda: self.toggle(asked_at),
            "cancel": self.cancel,
            "show": self.show_window,
        }
        if command in simple:
            simple[command]()
        elif command.startswith("mode "):
            self.pick_mode(command.removeprefix("mode "))
        elif command == "quit":
            self.state = RemoteState.QUITTING
            self.window.post(self.quit)
        return self.status()

    def status(self) -> dict:
        typing = self.typing
        return {
            "running": True,
            "state": self.window.service.state.value,
            "dictating": self.window.dictation is not None,
            "model": self.window.model_name,
            "target": typing.target.label if typing else "",
            "mode": typing.options.insert.value if typing else "live",
            "writing_mode": self._mode.name if typing and self._mode else "",
            "picked_mode": self.picked_mode,
            "held": typing.delivery.held_text if typing else "",
            "typed": "".join(typing.delivery.delivered) if typing else "",
            "edits_refused": typing.delivery.edits_refused if typing else False,
            "timings": {**self.timings, **(typing.timings if typing else {})},
        }

    # -- starting and stopping ------------------------------------------------------------

    def start(self, asked_at: float | None = None) -> None:
        """Dictate into the application that has the focus now (this window: its editor)."""
        if self.window.dictation is not None:
            return
        self._asked_at = asked_at or time.perf_counter()
        self._next_target = self._focused_target()
        if self.window.model is None:
            self.state = RemoteState.WAITING_FOR_MODEL  # start as soon as the model is in
            return
        self._begin()

    def _begin(self) -> None:
        target = self._next_target
        typing, options = None, None
        if target is not None:
            options = self.window.options()
            self._mode = self.mode_for(target, options.modes)
            options = with_mode(options, self._mode)
            if options.model_name not in (self.window.model_name, *self._models_failed):
                self._model_asked = options.model_name  # the mode's (or, after one, the Preferences')
                self.state = RemoteState.WAITING_FOR_MODEL
                self.window.service.load(options.model_name, options.load)
                return  # begun once it is in (_service_event)
            typing = Typing.into(
                self.desktop,
                target,
                options.anywhere,
                on_event=self._typing_event,
                post=self.window.post,
                transcribe=self.window.service.recording_transcriber(options.transcribe, options.voice.style),
            )
            typing.delivery.hold_keys(self._keys_held)
        self._next_target = None
        self.window.start_dictation(typing, options)

    def stop(self) -> None:
        """Stop; in on-finish mode the live tail is not decoded, the recording is instead."""
        if self.state == RemoteState.WAITING_FOR_MODEL:
            self.state = RemoteState.IDLE  # a start still waiting for the model is called off too
        if self.window.dictation is not None:
            self.window.stop_dictation()

    def toggle(self, asked_at: float | None = None) -> None:
        if self.window.dictation is not None or self.state == RemoteState.WAITING_FOR_MODEL:
            self.stop()  # a start still waiting for the model is called off
        else:
            self.start(asked_at)

    def cancel(self) -> None:
        """Stop; nothing more is typed (the recording and the editor keep what was said)."""
        if self.typing is not None:
            self.typing.cancel()
        self.stop()

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def quit(self) -> None:
        """Quit from the tray or ``dictation-app quit``: nobody may be at the window, so
        unsaved documents are kept as autosaves (offered at the next start), not asked about."""
        self.state = RemoteState.QUITTING
        if not self.window.close_keeping_documents():
            self.state = RemoteState.IDLE  # the user kept it open (files still being transcribed)
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
        if self._needs_notice:  # its notification may be up
            self.notice.close()
            self.notice.wait(2.0)

    def _focused_target(self) -> Target | None:
        """The application with the focus now, or None when it is this app's own window."""
        on_desktop = QGuiApplication.platformName() not in ("offscreen", "minimal")
        if (on_desktop and QApplication.activeWindow() is not None) or self.desktop.session == Session.NONE:
            return None
        return focused_target(self.desktop)

    def new_delivery(self, target: Target) -> Delivery:
        """A delivery of text to ``target`` outside a dictation (the history's Insert); text it
        cannot type is offered in the overlay, as a dictation's is."""
        options = self.options()

        def said(event) -> None:  # on the delivery thread
            if isinstance(event, Held):
                self.window.post(lambda: self._held(event.text.strip(), event.reason))

        return delivery_for(self.desktop, target, said, options.method, options.paste_key)

    def _held(self, text: str, reason: str) -> None:
        self.overlay.set_held(text, reason)
        self.overlay.show()
        self.window.show_message(
            self.tr("%s The words are kept in the overlay; Copy puts them on the clipboard.") % reason, urgent=True
        )

    # -- one dictation --------------------------------------------------------------------

    @Slot(object)
    def _begun(self, worker) -> None:
        self.typing = worker.dictation.stage(Typing)
        self._voice = worker.dictation.stage(VoiceStage)
        self.state = RemoteState.DICTATING
        self.timings = {}
        self._shown = CommitLedger()
        worker.started.connect(self._microphone_open, Qt.ConnectionType.DirectConnection)
        worker.committed.connect(self._committed)
        worker.revised.connect(self._revised)
        worker.partial.connect(self.overlay.set_tentative)
        worker.level.connect(self.overlay.set_level)
        worker.finished.connect(self._finished)
        self._signs(True)
        self.overlay.begin(self.typing.target.label if self.typing else "", self._mode.name if self._mode else "")
        if self.typing is not None:
            self._grab_escape()

    def _microphone_open(self, folder: str) -> None:  # on the dictation thread, at once
        now = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes (bench_anywhere)
        self.timings["microphone_at"] = now
        self.timings["microphone_s"] = now - self._asked_at

    def _committed(self, words) -> None:
        self._shown.apply(Commit(words))
        self.overlay.set_committed(self._shown.text)

    def _revised(self, event) -> None:
        self._shown.apply(event)
        self.overlay.set_committed(self._shown.text)

    def _grab_escape(self) -> None:
        """Esc cancels a dictation into another application: the overlay never has the focus,
        so on X11 the key is grabbed while the dictation runs (and only then)."""
        from dictation_app.anywhere.hotkey import HotkeyError, X11Hotkey

        if self.desktop.session != Session.X11:
            return
        post = self.window.post
        try:
            self._escape = X11Hotkey("Escape", lambda: post(self.cancel), None, self.desktop.x_display)
        except HotkeyError:
            self._escape = None  # another program holds Esc: the Cancel button and the shortcut remain

    def _finished(self, folder: str) -> None:
        """The dictation ended; its typing stage (if any) types the rest on its own thread."""
        if self._escape is not None:
            self._escape.close()
            self._escape = None
        self._signs(False)
        preferred = self.window.options()
        if self._model_asked == self.window.model_name != preferred.model_name:
            self.window.service.load(preferred.model_name, preferred.load)  # back to the Preferences' model
        self._model_asked = ""
        if self.typing is None or self.typing.state == TypingState.DONE:
            self._typing_done()
        elif self.state == RemoteState.DICTATING:
            self.state = RemoteState.DELIVERING

    def _typing_done(self) -> None:
        held = self.typing is not None and bool(self.typing.delivery.held)
        if self.state in (RemoteState.DICTATING, RemoteState.DELIVERING) and self.window.dictation is None:
            self.state = RemoteState.IDLE
        if not held:
            self._show_idle()

    def _typing_event(self, event) -> None:
        """What the dictation's typing stage says (on the GUI thread)."""
        if isinstance(event, TypingDone):
            self._typing_done()
        elif isinstance(event, TypingStateChanged) and event.state == TypingState.TRANSCRIBING:
            self.overlay.set_state(self.tr("transcribing the recording…"))
        elif isinstance(event, Refused):
            message = self.tr("'%s' was not done: %s. What was typed stays.") % (event.command, event.reason)
            self.overlay.set_state(message)
            self.window.show_message(message, urgent=True)
        elif isinstance(event, Waiting):
            self.overlay.set_state(self.tr("waiting for %s to have the focus") % event.target.label)
        elif isinstance(event, Held):
            self._held(self.typing.delivery.held_text if self.typing is not None else event.text.strip(), event.reason)

    def _service_event(self, event) -> None:
        from dictation_app.core.dictation import ModelProblem, ModelReady, StateChanged

        if isinstance(event, StateChanged):
            self.overlay.set_state(event.state.value)
        elif isinstance(event, ModelProblem) and self._model_asked and self.state == RemoteState.WAITING_FOR_MODEL:
            self._models_failed.add(self._model_asked)  # the dictation goes on with the model it falls back to
        elif isinstance(event, ModelReady) and self.state == RemoteState.WAITING_FOR_MODEL:
            self.state = RemoteState.IDLE
            if self.window.dictation is None:
                self._begin()  # to the target captured when start was asked
