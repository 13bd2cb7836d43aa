"""Preferences: one form row per declared setting, built from the declarations (General), the
spoken commands, vocabulary and replacements (Voice), and the modes with their rules (Modes)."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dictation_app.settings import SETTINGS, Setting
from dictation_app.settings.store import Settings
from dictation_app.ui.accessible import name
from dictation_app.ui.widgets.modes_page import ModesPage
from dictation_app.ui.widgets.voice_page import VoicePage

__all__ = ["PreferencesDialog"]


def _editor(setting: Setting, value) -> QWidget:
    if setting.type is bool:
        box = QCheckBox()
        box.setChecked(value)
        return box
    if setting.choices:
        combo = QComboBox()
        combo.addItems(list(setting.choices))
        combo.setCurrentText(value)
        return combo
    if setting.type is int:
        spin = QSpinBox()
        spin.setRange(int(setting.minimum), int(setting.maximum))
        spin.setValue(value)
        return spin
    if setting.type is float:
        spin = QDoubleSpinBox(decimals=2, singleStep=0.05)
        spin.setRange(setting.minimum, setting.maximum)
        spin.setValue(value)
        return spin
    return QLineEdit(value)


def _read(widget: QWidget):
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.value()
    return widget.text()


def _scrolling(page: QWidget, title: str) -> QScrollArea:
    area = name(QScrollArea(), title)
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


def _labels_above_fields(form: QFormLayout) -> None:
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        if item is not None and isinstance(item.widget(), QLabel):
            item.widget().setWordWrap(True)


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        self.tabs = name(QTabWidget(), self.tr("Preferences pages"))
        general = QWidget()
        form = QFormLayout(general)
        # The page scrolls when it is taller than the screen; with large fonts labels go above
        # their fields (below), so no field is pushed off the right edge.
        for setting in SETTINGS:
            if setting.hidden:
                continue
            editor = self.editors[setting.key] = name(_editor(setting, settings.value(setting.key)), setting.label)
            form.addRow(setting.label, editor)
        self.check = QPushButton(self.tr("Check typing into other applications"))
        self.check.clicked.connect(self.run_doctor)
        self.report = name(QPlainTextEdit(readOnly=True), self.tr("Typing check report"))
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report.setPlaceholderText(
            self.tr(
                "What this desktop offers for dictating into other applications "
                "(the same report as 'dictation-app doctor')."
            )
        )
        self.report.setMaximumHeight(130)
        form.addRow(self.check)
        form.addRow(self.report)
        self.voice = VoicePage(settings)
        self.tabs.addTab(_scrolling(general, self.tr("General")), self.tr("General"))
        self.voice_tab = _scrolling(self.voice, self.tr("Voice"))
        self.tabs.addTab(self.voice_tab, self.tr("Voice"))
        self.modes = ModesPage(settings)
        self.modes_tab = _scrolling(self.modes, self.tr("Modes"))
        self.tabs.addTab(self.modes_tab, self.tr("Modes"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        for form_layout in (form, self.voice.layout(), self.modes.layout()):
            if isinstance(form_layout, QFormLayout) and form_layout.sizeHint().width() > screen.width() * 0.8:
                _labels_above_fields(form_layout)  # large fonts: nothing goes off the right edge
        hint = self.sizeHint()
        self.resize(min(hint.width(), int(screen.width() * 0.9)), min(hint.height(), int(screen.height() * 0.9)))

    def run_doctor(self) -> None:
        """doctor's report, with its live check (a test field of its own) on a worker thread."""
        from dictation_app.anywhere.doctor import diagnose
        from dictation_app.ui.workers.tasks import run_task

        self.check.setEnabled(False)
        self.report.setPlainText(self.tr("Checking…"))

        def show(text: str) -> None:
            self.report.setPlainText(text)
            self.check.setEnabled(True)

        run_task(self, lambda: diagnose(live=True).text(), show, show)

    def accept(self) -> None:
        """Save everything, or nothing while a voice entry or a mode has a problem (it is shown)."""
        if self.voice.problems():
            self.tabs.setCurrentWidget(self.voice_tab)
            return
        if self.modes.problems():
            self.tabs.setCurrentWidget(self.modes_tab)
            return
        for key, editor in self.editors.items():
            self.settings.set_value(key, _read(editor))
        self.voice.save()
        self.modes.save()
        super().accept()
