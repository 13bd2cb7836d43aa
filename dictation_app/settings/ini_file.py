"""The window's settings file read without Qt, so ``eval --settings FILE`` and other headless
commands run with exactly what the window runs.

QSettings on Linux keeps settings in an INI file (``~/.config/dictation-app/dictation-app.conf``):
``group/name`` keys are ``name`` entries of a ``[group]`` section; strings with special
characters are quoted with backslash escapes. Only declared settings are read; anything else
(window geometry, ``@ByteArray`` values) is ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dictation_app.errors import DictationError
from dictation_app.settings.declarations import by_key

__all__ = ["SettingsFile", "default_settings_path"]

_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
}


def default_settings_path() -> Path:
    import os

    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "dictation-app" / "dictation-app.conf"


def _unquote(raw: str) -> str:
    """A QSettings INI value: quoted parts unescaped, the rest as written."""
    out, i, quoted = [], 0, False
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and i + 1 < len(raw):
            i += 1
            nxt = raw[i]
            if nxt == "x":  # \x1234: a UTF-16 code unit in hex
                digits = ""
                while i + 1 < len(raw) and len(digits) < 4 and raw[i + 1] in "0123456789abcdefABCDEF":
                    i += 1
                    digits += raw[i]
                out.append(chr(int(digits or "0", 16)))
            else:
                out.append(_ESCAPES.get(nxt, nxt))
        elif ch == ";" and not quoted:
            break  # a comment
        else:
            out.append(ch)
        i += 1
    return "".join(out).strip() if not raw.lstrip().startswith('"') else "".join(out)


class SettingsFile:
    """Declared settings from a QSettings INI file; missing or invalid values give defaults.

    Raises:
        DictationError: the file cannot be read.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DictationError(
                f"Cannot read the settings file {self.path}: {getattr(exc, 'strerror', None) or exc}."
            ) from None
        self._values: dict[str, str] = {}
        section = ""
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith(";"):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
                continue
            key, sep, raw = line.partition("=")
            if not sep:
                continue
            key = key.strip()
            full = key if section in ("", "General") else f"{section}/{key}"
            self._values[full] = _unquote(raw.strip())

    def value(self, key: str) -> Any:
        return by_key(key).coerce(self._values.get(key))
