"""Settings: the declarations (no Qt) and a typed QSettings adapter."""

from dictation_app.settings.declarations import SETTINGS, Setting, by_key

__all__ = ["SETTINGS", "Setting", "by_key"]
