"""The main window's toolbar: Record, microphone, model, language and the level meter."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from dictation_app.settings.declarations import LANGUAGES
from dictation_app.ui.accessible import name
from dictation_app.ui.actions import ACTIONS
from dictation_app.ui.widgets.level_meter import LevelMeter
from dictation_app.ui.widgets.microphone_box import MicrophoneBox

__all__ = ["build_toolbar"]


def build_toolbar(window) -> None:
    """Adds the toolbar to ``window`` and sets its ``device_box``, ``model_box``,
    ``language_box`` and ``meter``."""
    tr, settings = window.tr, window.settings
    bar = QToolBar(tr("Dictation"))
    bar.setObjectName("toolbar")
    bar.setMovable(False)
    window.addToolBar(bar)
    for spec in ACTIONS:
        if spec.toolbar:
            bar.addAction(window.actions[spec.id])
    window.device_box = name(MicrophoneBox(settings), tr("Microphone"))
    window.device_box.listed.connect(window._devices_listed)
    model_box = window.model_box = QComboBox(editable=True, toolTip=tr("Model: a name or a model folder"))
    name(model_box, tr("Model"))
    model_box.setMinimumContentsLength(10)
    model_box.activated.connect(lambda _: settings.set_value("model/name", model_box.currentText().strip()))
    language_box = window.language_box = name(QComboBox(toolTip=tr("Language spoken")), tr("Language"))
    language_box.addItems(list(LANGUAGES))
    language_box.setCurrentText(settings.value("decoding/language"))
    language_box.activated.connect(lambda _: settings.set_value("decoding/language", language_box.currentText()))
    window.meter = LevelMeter()
    for label, widget in ((tr("&Mic"), window.device_box), (tr("M&odel"), model_box), (tr("&Language"), language_box)):
        bar.addSeparator()
        caption = QLabel(f" {label} ")
        caption.setBuddy(widget)  # a screen reader reads the box as labelled by it; Alt+letter focuses it
        bar.addWidget(caption)
        bar.addWidget(widget)
    bar.addSeparator()
    bar.addWidget(window.meter)
