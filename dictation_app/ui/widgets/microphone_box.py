"""The microphone picker: lists input devices behind the window and says when there is none."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from dictation_app.settings.store import Settings
from dictation_app.ui.workers.tasks import run_task

__all__ = ["MicrophoneBox"]


class MicrophoneBox(QComboBox):
    """Choosing a device stores it in ``dictation/input_device``.

    :meth:`refresh` lists the devices on a worker (PortAudio starts up slowly), then emits
    ``listed`` with why dictation is off ("" when there is a microphone).
    """

    listed = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent, toolTip=self.tr("Microphone"))
        self.settings = settings
        self.setMinimumContentsLength(16)
        self.activated.connect(lambda _: settings.set_value("dictation/input_device", self.currentData() or ""))

    def refresh(self) -> None:
        from dictation_app.audio.capture import list_input_devices

        run_task(
            self,
            list_input_devices,
            self._listed,
            lambda message: self._listed([], self.tr("Dictation is off: %s File transcription works.") % message),
        )

    def _listed(self, devices: list, problem: str = "") -> None:
        self.clear()
        self.addItem(self.tr("System default"), "")
        for device in devices:
            self.addItem(device.name, device.name)
        self.setCurrentIndex(max(0, self.findData(self.settings.value("dictation/input_device"))))
        self.listed.emit(
            problem
            or (
                ""
                if devices
                else self.tr(
                    "No microphone found: dictation is off until one is connected "
                    "(then use Dictation > Refresh Microphones). File transcription works."
                )
            )
        )
