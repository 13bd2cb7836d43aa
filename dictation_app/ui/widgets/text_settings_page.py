"""A Preferences page of settings the user writes as text (commands, vocabulary, modes, rules):
its problems are shown in red on the page, and nothing is saved until there are none."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from dictation_app.settings.store import Settings

__all__ = ["TextSettingsPage"]


class TextSettingsPage(QWidget):
    """Subclasses give :meth:`values` (setting key -> value) and :meth:`problems_in`, and put
    :attr:`problems_label` at the end of their layout."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.problems_label = QLabel(wordWrap=True)
        self.problems_label.setStyleSheet("color: #c62828")
        self.problems_label.hide()

    def values(self) -> dict:
        raise NotImplementedError

    def problems_in(self, values: dict) -> list[str]:
        raise NotImplementedError

    def problems(self) -> list[str]:
        """What is wrong in the entries (shown on the page); empty when they can be saved."""
        problems = self.problems_in(self.values())
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))
        return problems

    def save(self) -> None:
        for key, value in self.values().items():
            self.settings.set_value(key, value)
