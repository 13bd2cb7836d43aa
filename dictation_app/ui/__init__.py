"""The PySide6 desktop app: widgets and workers that route signals to the Qt-free layers."""
