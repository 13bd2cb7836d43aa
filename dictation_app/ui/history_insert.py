"""Insert a history entry's text into another application, through the dictation-anywhere
layer: the window steps aside (minimised), and the text is typed, with the same methods as
dictation, into the application that has the focus then, the one the user was in before."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from dictation_app.anywhere.desktop import Session
from dictation_app.anywhere.targets import focused_target
from dictation_app.ui.workers.tasks import run_task

__all__ = ["HistoryInserter"]

FOCUS_SETTLE_MS = 400  # after minimising, the window manager gives the focus back


class HistoryInserter(QObject):
    """Args:
    controller: The :class:`~dictation_app.ui.anywhere.AnywhereController` (its desktop,
        its deliveries and the window that reports problems).
    """

    def __init__(self, controller) -> None:
        super().__init__(controller)
        self.controller = controller

    def insert(self, text: str) -> None:
        self.controller.window.showMinimized()
        QTimer.singleShot(FOCUS_SETTLE_MS, lambda: self.deliver(text))

    def deliver(self, text: str) -> None:
        """Type ``text`` into the application with the focus now; refused ones keep it in the overlay."""
        window = self.controller.window
        target = focused_target(self.controller.desktop) if self.controller.desktop.session != Session.NONE else None
        if target is None or not (target.app or target.window):
            window.showNormal()
            window.show_problem(
                self.tr(
                    "No other application has the focus to insert into; the text is "
                    "still in the history (Copy puts it on the clipboard)."
                )
            )
            return
        delivery = self.controller.new_delivery(target)
        delivery.send(text)
        run_task(
            self,
            delivery.finish,
            lambda _: None if delivery.held else window.show_message(self.tr("Inserted into %s.") % target.label),
            window.show_problem,
        )
