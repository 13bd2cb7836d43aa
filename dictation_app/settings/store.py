"""Typed access to the declared settings, persisted with QSettings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from dictation_app.settings.declarations import by_key

__all__ = ["Settings"]


class Settings(QObject):
    """Reads and writes declared settings; unknown keys are a programming error (KeyError)."""

    changed = Signal(str)  # key

    def __init__(self, qsettings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._q = qsettings or QSettings()

    def value(self, key: str) -> Any:
        return by_key(key).coerce(self._q.value(key))

    def set_value(self, key: str, value: Any) -> None:
        value = by_key(key).coerce(value)
        if value != self.value(key):
            self._q.setValue(key, value)
            self.changed.emit(key)

    def raw(self, key: str, default: Any = None) -> Any:
        """Window state and other undeclared UI memory (geometry bytes)."""
        return self._q.value(f"ui/{key}", default)

    def set_raw(self, key: str, value: Any) -> None:
        self._q.setValue(f"ui/{key}", value)

    def sync(self) -> None:
        self._q.sync()
