"""A text field for ``doctor``'s live check: ``dictation-app doctor --probe-field OUT``
opens one focused line edit, prints "ready" once it has the focus, writes what it holds to OUT
each time it changes, and exits on Return or after 10 s."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit


def main(out: str) -> int:
    app = QApplication(sys.argv[:1])
    field = QLineEdit()
    field.setWindowTitle("dictation-app doctor: test field")
    field.setMinimumWidth(420)

    def save() -> None:
        Path(out).write_text(field.text(), encoding="utf-8")

    def announce() -> None:
        if field.hasFocus() and field.isActiveWindow():
            # a Wayland compositor sends the keyboard's focus and keymap just after activation
            QTimer.singleShot(300, lambda: print("ready", flush=True))
        else:
            field.activateWindow()
            QTimer.singleShot(50, announce)

    field.textChanged.connect(save)
    field.returnPressed.connect(app.quit)
    field.show()
    field.activateWindow()
    QTimer.singleShot(50, announce)
    QTimer.singleShot(10_000, app.quit)
    return app.exec()
