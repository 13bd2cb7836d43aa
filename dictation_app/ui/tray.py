"""The tray icon: start/stop, where words go (live or on finish), the writing mode (chosen by
the application, or one picked here), show the window, quit. The icon turns red while the
microphone is open, and its tooltip (what a screen reader reads) says so, with the mode; every
menu item has a mnemonic."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

__all__ = ["Tray", "microphone_icon"]


def microphone_icon(recording: bool, armed: bool = False) -> QIcon:
    """A microphone drawn at 64 px: grey when idle, red while recording, amber while armed."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(229, 57, 53) if recording else QColor(245, 159, 0) if armed else QColor(95, 99, 104)
    painter.setBrush(color)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(22, 4, 20, 36, 10, 10)
    pen = painter.pen()
    pen.setStyle(Qt.PenStyle.SolidLine)
    pen.setColor(color)
    pen.setWidth(5)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    arc = QPainterPath(QPointF(14, 28))
    arc.cubicTo(QPointF(14, 54), QPointF(50, 54), QPointF(50, 28))
    painter.drawPath(arc)
    painter.drawLine(32, 48, 32, 60)
    painter.end()
    return QIcon(pixmap)


class Tray(QObject):
    """Signals carry what the user picked; :meth:`set_recording` and :meth:`set_mode` show state."""

    toggle_requested = Signal()
    mode_chosen = Signal(str)  # "live" or "on_finish"
    writing_mode_chosen = Signal(str)  # a mode's name, or "" for the one the rules choose (this dictation too)
    show_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(microphone_icon(False), self)
        self.menu = QMenu()
        self.toggle_action = self.menu.addAction(self.tr("&Start dictation"))
        self.toggle_action.triggered.connect(self.toggle_requested)
        self.menu.addSeparator()
        group = QActionGroup(self)
        self.mode_actions: dict[str, QAction] = {}
        for mode, text in (
            ("live", self.tr("Type &words as they are recognised")),
            ("on_finish", self.tr("Type everything at the &end (most accurate)")),
        ):
            action = self.menu.addAction(text)
            action.setCheckable(True)
            group.addAction(action)
            action.triggered.connect(lambda _=False, m=mode: self.mode_chosen.emit(m))
            self.mode_actions[mode] = action
        self.writing_menu = self.menu.addMenu(self.tr("Writing &mode"))
        self.writing_group = QActionGroup(self)
        self.writing_actions: dict[str, QAction] = {}
        self.menu.addSeparator()
        self.menu.addAction(self.tr("Show &window"), self.show_requested)
        self.menu.addAction(self.tr("&Quit"), self.quit_requested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.set_recording(False)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_requested.emit()

    def show(self) -> None:
        self.icon.show()

    def set_writing_modes(self, names: list[str], chosen: str) -> None:
        """The modes offered (after "By application"), and which is checked ("": by application)."""
        self.writing_menu.clear()
        self.writing_actions = {}
        for name in ["", *names]:
            action = self.writing_menu.addAction(self.tr("By &application (your rules)") if not name else name)
            action.setCheckable(True)
            action.setChecked(name == chosen)
            self.writing_group.addAction(action)
            action.triggered.connect(lambda _=False, n=name: self.writing_mode_chosen.emit(n))
            self.writing_actions[name] = action

    def set_recording(self, recording: bool, armed: bool = False, mode: str = "") -> None:
        self.icon.setIcon(microphone_icon(recording, armed))
        self.icon.setToolTip(
            (self.tr("Dictation: microphone on, %s mode") % mode if mode else self.tr("Dictation: microphone on"))
            if recording
            else self.tr("Dictation: microphone armed (the last 0.5 s is kept)")
            if armed
            else self.tr("Dictation: idle")
        )
        self.toggle_action.setText(self.tr("&Stop dictation") if recording else self.tr("&Start dictation"))

    def set_mode(self, mode: str) -> None:
        if mode in self.mode_actions:
            self.mode_actions[mode].setChecked(True)
