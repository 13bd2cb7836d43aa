"""Preferences, Voice: the spoken commands (the built-in table and the user's own), the
personal vocabulary and the replacements. Problems are shown here and nothing is saved until
every entry is sound."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from dictation_app.core.options import voice_options
from dictation_app.core.vocabulary import PROMPT_CHARS, decoder_hotwords
from dictation_app.core.voice_table import COMMANDS, LITERAL
from dictation_app.settings.store import Settings
from dictation_app.ui.accessible import name
from dictation_app.ui.widgets.text_settings_page import TextSettingsPage

__all__ = ["VoicePage"]

_TEXTS = {
    "voice/custom_commands": "next line => new line\nsmiley => :-)",
    "voice/vocabulary": "Kubernetes\nNguyen\nPySide",
    "voice/replacements": "my email address => anna@example.com\nmy signature => Best regards,\\nAnna",
}


class VoicePage(TextSettingsPage):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        form = QFormLayout(self)
        self.commands = QCheckBox(self.tr("Spoken punctuation and commands while dictating"))
        self.commands.setChecked(settings.value("voice/commands"))
        form.addRow(self.commands)
        self.table = name(QTableWidget(len(COMMANDS) + 1, 2), self.tr("Spoken commands"))
        self.table.setHorizontalHeaderLabels([self.tr("Say (after a short pause)"), self.tr("It")])
        for row, command in enumerate(COMMANDS):
            self.table.setItem(row, 0, QTableWidgetItem(" / ".join(f"“{p}”" for p in command.phrases)))
            self.table.setItem(row, 1, QTableWidgetItem(command.what))
        self.table.setItem(len(COMMANDS), 0, QTableWidgetItem(f"“{LITERAL} …”"))
        self.table.setItem(len(COMMANDS), 1, QTableWidgetItem(self.tr("types the command's words as text")))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setColumnWidth(0, 260)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        self.table.setMinimumHeight(150)
        form.addRow(self.table)
        self.editors: dict[str, QPlainTextEdit] = {}
        labels = {
            "voice/custom_commands": self.tr("Your commands\n(phrase => text or a command)"),
            "voice/vocabulary": self.tr("Vocabulary\n(names, jargon; one a line)"),
            "voice/replacements": self.tr("Replacements\n(phrase => text; \\n: new line)"),
        }
        for key, label in labels.items():
            editor = self.editors[key] = name(QPlainTextEdit(settings.value(key)), label.split("\n")[0])
            editor.setPlaceholderText(_TEXTS[key])
            editor.setMaximumHeight(90)
            form.addRow(label, editor)
        self.vocabulary_note = QLabel(wordWrap=True)
        form.addRow("", self.vocabulary_note)
        self.editors["voice/vocabulary"].textChanged.connect(self._show_vocabulary_note)
        self.replace_in_files = QCheckBox(self.tr("Apply replacements to file transcripts too"))
        self.replace_in_files.setChecked(settings.value("voice/replace_in_files"))
        form.addRow(self.replace_in_files)
        form.addRow(self.problems_label)
        self._show_vocabulary_note()

    def values(self) -> dict:
        out = {key: editor.toPlainText() for key, editor in self.editors.items()}
        out["voice/commands"] = self.commands.isChecked()
        out["voice/replace_in_files"] = self.replace_in_files.isChecked()
        return out

    def problems_in(self, values: dict) -> list[str]:
        return voice_options(values.__getitem__)[1]

    def _show_vocabulary_note(self) -> None:
        options, _ = voice_options(self.values().__getitem__)
        words = options.vocabulary
        given = decoder_hotwords(words)
        shown = len([w for w in words if w in given.split(", ")])
        if not words:
            self.vocabulary_note.setText(
                self.tr(
                    "Words here are given to the live decoder and used to correct "
                    "near misses after decoding (dictation and files)."
                )
            )
        elif shown == len(words):
            self.vocabulary_note.setText(self.tr("All %d go to the live decoder.") % len(words))
        else:
            self.vocabulary_note.setText(
                self.tr(
                    "The first %d of %d go to the live decoder (it reads at most %d "
                    "characters, so decoding stays fast); all are used to correct "
                    "near misses."
                )
                % (shown, len(words), PROMPT_CHARS)
            )
