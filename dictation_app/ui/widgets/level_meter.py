"""A small horizontal input-level meter (dBFS)."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Slot
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

__all__ = ["LevelMeter"]


class LevelMeter(QWidget):
    FLOOR_DB = -60.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = float("-inf")
        self.setToolTip(self.tr("Input level"))

    def sizeHint(self) -> QSize:
        return QSize(120, 14)

    @Slot(float)
    def set_level(self, db: float) -> None:
        self.db = db
        self.update()

    @property
    def fraction(self) -> float:
        if math.isinf(self.db) or math.isnan(self.db):
            return 0.0
        return min(1.0, max(0.0, (self.db - self.FLOOR_DB) / -self.FLOOR_DB))

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(1, 2, -1, -2)
        painter.fillRect(rect, QColor(60, 60, 60))
        filled = QRectF(rect.x(), rect.y(), rect.width() * self.fraction, rect.height())
        color = QColor(76, 175, 80) if self.db < -6 else QColor(244, 67, 54)
        painter.fillRect(filled, color)
