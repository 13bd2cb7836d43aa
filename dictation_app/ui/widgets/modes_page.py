"""Preferences, Modes: the modes there are, the default one, the rules that choose a mode by
application, the user's own modes, and a test of the rules against a real window. Problems are
shown here and nothing is saved until every line is sound."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from dictation_app.core.modes import ModeTable, parse_modes
from dictation_app.settings.store import Settings
from dictation_app.ui.accessible import name
from dictation_app.ui.widgets.text_settings_page import TextSettingsPage

__all__ = ["ModesPage"]

#: how long the user has to put the focus on the application to test the rules against
TEST_DELAY_S = 3


class ModesPage(TextSettingsPage):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        form = QFormLayout(self)
        intro = QLabel(
            self.tr(
                "A dictation into another application is written in the mode your rules choose for "
                "it (first match wins), else in the default mode. Say \u201cswitch to code mode\u201d "
                "to change while dictating; the tray's Writing mode menu (or \u201cdictation-app mode "
                "NAME\u201d on a key) picks one for the dictation under way and those to come."
            ),
            wordWrap=True,
        )
        form.addRow(intro)
        self.table = name(QTableWidget(0, 2), self.tr("Modes"))
        self.table.setHorizontalHeaderLabels([self.tr("Mode"), self.tr("What it sets")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        form.addRow(self.table)
        self.default = name(QComboBox(), self.tr("Default mode"))
        form.addRow(self.tr("Default mode"), self.default)
        self.rules = name(QPlainTextEdit(settings.value("modes/rules")), self.tr("Rules"))
        self.rules.setMinimumHeight(120)
        form.addRow(QLabel(self.tr("Rules: application [title:pattern] => mode, first match wins"), wordWrap=True))
        form.addRow(self.rules)
        self.custom = name(QPlainTextEdit(settings.value("modes/custom")), self.tr("Your modes"))
        self.custom.setPlaceholderText("Mail: style=sentence, insert=on_finish, after=newline\nChat: style=casual")
        self.custom.setMaximumHeight(90)
        form.addRow(
            QLabel(
                self.tr("Your modes: Name: style=, insert=, after=, commands=, vocabulary=, model=, language="),
                wordWrap=True,
            )
        )
        form.addRow(self.custom)
        self.test_button = QPushButton(self.tr("&Test the rules on a window (focus it within %d s)") % TEST_DELAY_S)
        self.test_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.test_button.clicked.connect(self.test_rules)
        self.test_result = name(QLabel(wordWrap=True), self.tr("Test result"))
        form.addRow(self.test_button)
        form.addRow(self.test_result)
        form.addRow(self.problems_label)
        self._default = settings.value("modes/default")
        self.custom.textChanged.connect(self._show_modes)
        self._show_modes()

    def table_now(self) -> tuple[ModeTable, list[str]]:
        return parse_modes(self.custom.toPlainText(), self.rules.toPlainText(), self.default.currentText() or "Prose")

    def _show_modes(self) -> None:
        chosen = self.default.currentText() or self._default
        modes, _ = parse_modes(self.custom.toPlainText(), "", "Prose")
        self.table.setRowCount(len(modes.modes))
        for row, mode in enumerate(modes.modes):
            self.table.setItem(row, 0, QTableWidgetItem(mode.name))
            self.table.setItem(row, 1, QTableWidgetItem(mode.describe().split(": ", 1)[1]))
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(rows + self.table.horizontalHeader().height() + 2 * self.table.frameWidth() + 2)
        self.default.blockSignals(True)
        self.default.clear()
        self.default.addItems([m.name for m in modes.modes])
        self.default.setCurrentText(chosen if modes.get(chosen) else "Prose")
        self.default.blockSignals(False)

    def values(self) -> dict:
        return {
            "modes/rules": self.rules.toPlainText(),
            "modes/custom": self.custom.toPlainText(),
            "modes/default": self.default.currentText(),
        }

    def problems_in(self, values: dict) -> list[str]:
        return parse_modes(values["modes/custom"], values["modes/rules"], values["modes/default"] or "Prose")[1]

    def test_rules(self) -> None:
        """In a few seconds, which mode the rules (as written here, not yet saved) choose for the
        window that has the focus then."""
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Put the focus on the application to test…"))
        QTimer.singleShot(TEST_DELAY_S * 1000, self._test_now)

    def _test_now(self) -> None:
        from dictation_app.anywhere.desktop import Desktop, Session
        from dictation_app.anywhere.targets import focused_target

        self.test_button.setEnabled(True)
        desktop = Desktop.detect()
        if desktop.session == Session.NONE:
            self.test_result.setText(self.tr("No desktop session (X11 or Wayland) to ask which window has the focus."))
            return
        self.show_test(focused_target(desktop))

    def show_test(self, target) -> None:
        table, _ = self.table_now()
        mode, rule = table.choose(target.app, target.title)
        if not target.app and not target.title:
            self.test_result.setText(
                self.tr("This desktop does not tell which application has the focus: %s mode (the default).")
                % mode.name
            )
            return
        why = self.tr("rule \u201c%s\u201d") % rule.describe() if rule else self.tr("no rule matched: the default")
        self.test_result.setText(
            self.tr("%s (application \u201c%s\u201d, title \u201c%s\u201d): %s mode, by %s.")
            % (target.label, target.app, target.title, mode.name, why)
        )
