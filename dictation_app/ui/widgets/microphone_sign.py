"""The sign that the microphone is open, the same in the window's status bar and the overlay:
a red dot while a dictation listens, an amber one while pre-roll keeps it armed between
dictations. The app never opens the microphone without it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from dictation_app.ui.accessible import announce

__all__ = ["MicrophoneSign"]


class MicrophoneSign(QLabel):
    """Args:
    say_closed: Show "Mic off" when closed (the overlay); else the sign hides (the window).
    announces: Say each change to a screen reader (one sign of the app does: the window's).
    """

    def __init__(self, say_closed: bool = True, announces: bool = False) -> None:
        super().__init__()
        self.say_closed = say_closed
        self.announces = False
        self.open = self.armed = False
        self.set(False)
        self.announces = announces

    def set(self, open_: bool, armed: bool | None = None) -> None:
        """Open (a dictation listens) or not; ``armed``: kept open between dictations
        (None: as it was)."""
        before = (self.open, self.armed)
        self.open = open_
        self.armed = self.armed if armed is None else armed
        if open_:
            self.setText("<span style='color:#f44336'>\u25cf</span> " + self.tr("Mic on"))
            self.setToolTip(self.tr("The microphone is open: dictation is listening"))
        elif self.armed:
            self.setText("<span style='color:#f59f00'>\u25cf</span> " + self.tr("Mic armed (keeps 0.5 s)"))
            self.setToolTip(
                self.tr(
                    "Pre-roll keeps the microphone open between dictations, so the first "
                    "word is not lost; only the last 0.5 s is kept (Preferences)"
                )
            )
        else:
            self.setText(self.tr("Mic off"))
            self.setToolTip(self.tr("The microphone is closed"))
        self.setVisible(self.say_closed or open_ or self.armed)
        self.setAccessibleName(self.toolTip())  # the state in words, not only a coloured dot
        if self.announces and (self.open, self.armed) != before:
            announce(self, self.toolTip())
