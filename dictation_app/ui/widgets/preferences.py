"""Preferences: one form row per declared setting, built from the declarations (General), and
the spoken commands, vocabulary and replacements (Voice)."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dictation_app.settings import SETTINGS, Setting
from dictation_app.settings.store import Settings
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


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        self.tabs = QTabWidget()
        general = QWidget()
        form = QFormLayout(general)
        for setting in SETTINGS:
            if setting.hidden:
                continue
            editor = self.editors[setting.key] = _editor(setting, settings.value(setting.key))
            form.addRow(setting.label, editor)
        self.check = QPushButton(self.tr("Check typing into other applications"))
        self.check.clicked.connect(self.run_doctor)
        self.report = QPlainTextEdit(readOnly=True)
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
        self.tabs.addTab(general, self.tr("General"))
        self.tabs.addTab(self.voice, self.tr("Voice"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

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
        """Save everything, or nothing while a voice entry has a problem (it is shown)."""
        if self.voice.problems():
            self.tabs.setCurrentWidget(self.voice)
            return
        for key, editor in self.editors.items():
            self.settings.set_value(key, _read(editor))
        self.voice.save()
        super().accept()
