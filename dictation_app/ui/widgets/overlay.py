"""The overlay: a small always-on-top window that never takes the focus from the application
being dictated into. It shows that the microphone is open, the state, the level, where the
words go, the last committed words and the grey tentative tail, and text that could not be
typed, with a button that copies it."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from dictation_app.transcript import Word
from dictation_app.ui.widgets.level_meter import LevelMeter
from dictation_app.ui.widgets.microphone_sign import MicrophoneSign

__all__ = ["Overlay"]

SHOWN_CHARS = 90


class Overlay(QWidget):
    cancel_requested = Signal()

    def __init__(self) -> None:
        flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        if QGuiApplication.platformName() == "xcb":  # unmanaged: no taskbar entry, never focused, on top
            flags |= Qt.WindowType.X11BypassWindowManagerHint
        super().__init__(None, flags)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        # A Wayland window cannot refuse the focus (sway gives it to every new window), and
        # the words would go into the overlay instead of the application dictated into: there
        # it shows only what could not be typed; the tray and the window show the microphone.
        self.takes_focus = QGuiApplication.platformName().startswith("wayland")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle(self.tr("Dictation overlay"))
        self.setObjectName("overlay")
        self.setStyleSheet(
            "#overlay { background: #202124; border-radius: 8px; } QLabel { color: #e8eaed; }"
            " QPushButton { color: #e8eaed; background: #3c4043; border: none; padding: 2px 8px; }"
        )
        self.committed, self.tentative, self.held = "", "", ""
        self.mic = MicrophoneSign()
        self.state = QLabel()
        self.target = QLabel()
        self.target.setStyleSheet("color: #9aa0a6")
        self.meter = LevelMeter()
        self.text = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.text.setFixedWidth(520)
        self.held_label = QLabel(wordWrap=True)
        self.held_label.setStyleSheet("color: #f28b82")
        self.copy_button = QPushButton(self.tr("Copy"), focusPolicy=Qt.FocusPolicy.NoFocus)
        self.copy_button.setAccessibleDescription(self.tr("Put the words that could not be typed on the clipboard"))
        self.copy_button.clicked.connect(self.copy_held)
        cancel = QPushButton(
            self.tr("Cancel"),
            focusPolicy=Qt.FocusPolicy.NoFocus,
            toolTip=self.tr("Stop and type nothing more (or press Esc)"),
        )
        cancel.setAccessibleDescription(cancel.toolTip())
        cancel.clicked.connect(self.cancel_requested)
        # One grid, no layouts nested in layouts: the overlay is a top-level window that Python
        # owns, and PySide frees the items of a nested layout twice when the garbage collector
        # ends such a window (a segmentation fault "Garbage-collecting"; see DEVELOPERS.md).
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        for column, widget in enumerate((self.mic, self.state, self.meter)):
            layout.addWidget(widget, 0, column)
        layout.setColumnStretch(3, 1)
        layout.addWidget(self.target, 0, 4)
        layout.addWidget(cancel, 0, 5)
        layout.addWidget(self.text, 1, 0, 1, 6)
        layout.addWidget(self.held_label, 2, 0, 1, 5)
        layout.addWidget(self.copy_button, 2, 5)
        self.set_held("")
        self.set_microphone(False)

    # -- what the controller calls --------------------------------------------------------

    def begin(self, target: str, mode: str = "") -> None:
        """A dictation into ``target`` (its name; "": this app's window) begins, in ``mode``."""
        self.committed = self.tentative = ""
        self.set_held("")
        self.set_destination(target, mode)
        self._show_text()
        self._appear()

    def set_destination(self, target: str, mode: str = "") -> None:
        where = self.tr("→ %s") % target if target else ""
        self.target.setText(self.tr("%s · %s mode") % (where, mode) if where and mode else where)

    def set_microphone(self, open_: bool, armed: bool = False) -> None:
        """The sign that the microphone is open: never open without it (armed: pre-roll)."""
        self.mic.set(open_, armed)

    def show_armed(self) -> None:
        """Between dictations with pre-roll on: the microphone is open, so this shows."""
        self.committed = self.tentative = ""
        self.set_microphone(False, armed=True)
        self.set_state(self.tr("ready: press the shortcut to dictate"))
        self.target.setText("")
        self._show_text()
        self._appear()

    def _appear(self) -> None:
        if not self.takes_focus:
            self.place()
            self.show()
            self.raise_()

    @Slot(str)
    def set_state(self, state: str) -> None:
        self.state.setText(state)

    @Slot(float)
    def set_level(self, db: float) -> None:
        self.meter.set_level(db)

    @Slot(object)
    def add_committed(self, words: tuple[Word, ...]) -> None:
        self.set_committed(self.committed + "".join(w.text for w in words))

    def set_committed(self, text: str) -> None:
        """The dictation's text so far (its last words are shown)."""
        if len(text) > SHOWN_CHARS:  # the last words, from a word start
            cut = text.find(" ", len(text) - SHOWN_CHARS)
            text = "…" + text[cut:] if cut >= 0 else text[-SHOWN_CHARS:]
        self.committed = text
        self._show_text()

    @Slot(object)
    def set_tentative(self, words: tuple[Word, ...]) -> None:
        self.tentative = "".join(w.text for w in words)
        self._show_text()

    def set_held(self, text: str, reason: str = "") -> None:
        self.held = text
        self.held_label.setText(self.tr("Not typed (%s): %s") % (reason, text) if text else "")
        self.held_label.setVisible(bool(text))
        self.copy_button.setVisible(bool(text))
        self.adjustSize()

    def copy_held(self) -> None:
        QGuiApplication.clipboard().setText(self.held)

    def _show_text(self) -> None:
        if self.committed or self.tentative:
            self.text.setText(
                f"{html.escape(self.committed.strip())}<span style='color:#9aa0a6'>{html.escape(self.tentative)}</span>"
            )
        else:
            self.text.setText(self.tr("<i>Speak now…</i>"))
        height = self.sizeHint().height()
        if height != self.height():  # a line more or less: grow upwards, stay on screen
            bottom = self.geometry().bottom()
            self.resize(self.width(), height)
            self.move(self.x(), bottom - height + 1)

    def place(self) -> None:
        """Bottom centre of the screen the pointer is on."""
        screen = QGuiApplication.screenAt(self.cursor().pos()) or QGuiApplication.primaryScreen()
        if screen is None:
            return
        self.adjustSize()
        area = screen.availableGeometry()
        self.move(area.center().x() - self.width() // 2, area.bottom() - self.height() - 48)
