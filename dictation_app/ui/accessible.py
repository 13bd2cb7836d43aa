"""What a screen reader says of a control: its accessible name (what it is, not its value), set
once here for composite controls, and the check the tests make of a whole window.

A spin box is read by its name and then its value; a combo box, whatever its name, by its value
(Qt's rule), so what it is for goes in its description as well, and a label beside it is made its
buddy (the "labelled by" relation a screen reader reads). The inner line edit of either is a
control of its own on the accessibility bus and gets the same name.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QWidget

__all__ = ["announce", "name", "unnamed"]


def name(widget: QWidget, text: str, description: str = "") -> QWidget:
    """Give ``widget`` (and the line edit inside a combo box or spin box) its accessible name."""
    widget.setAccessibleName(text)
    if isinstance(widget, QComboBox) and not description:
        description = text  # Qt reads a combo box's value as its name: the purpose goes here too
    if description:
        widget.setAccessibleDescription(description)
    if isinstance(widget, (QComboBox, QAbstractSpinBox)):
        for inner in widget.findChildren(QLineEdit):
            inner.setAccessibleName(text)
    return widget


def announce(widget: QWidget, text: str, urgent: bool = False) -> None:
    """Have a screen reader say ``text`` now, whatever has the focus (an AT-SPI announcement:
    a state that is otherwise only shown, such as the microphone opening)."""
    event = QAccessibleAnnouncementEvent(widget, text)
    if urgent:
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)


def unnamed(root: QWidget) -> list[QWidget]:
    """The controls under ``root`` a user can reach with the keyboard (shown, focusable) that a
    screen reader would read without a name, or (combo and spin boxes) by their value only."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        inside = widget.parentWidget()
        if isinstance(widget, QLineEdit) and isinstance(inside, (QComboBox, QAbstractSpinBox)):
            widget = inside  # read as part of its box
        iface = QAccessible.queryAccessibleInterface(widget)
        said = (iface.text(QAccessible.Text.Name) if iface is not None else "").strip()
        by_value = isinstance(widget, (QComboBox, QAbstractSpinBox)) and not widget.accessibleName()
        if (not said or by_value) and widget not in found:
            found.append(widget)
    return found
