"""Every action of the main window, declared once: its menu, text and shortcut.
:meth:`MainWindow._build_menus` makes the QActions from this table and connects each to the
window's method for it (:meth:`MainWindow.handlers`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtGui import QKeySequence

__all__ = ["ACTIONS", "ActionId", "ActionSpec"]


class ActionId(Enum):
    OPEN = "open"
    SAVE = "save"
    EXPORT = "export"
    PREFERENCES = "preferences"
    MODELS = "models"
    QUIT = "quit"
    RECORD = "record"
    OPEN_DICTATION = "open_dictation"
    SHOW_RECORDINGS = "show_recordings"
    REFRESH_MICROPHONES = "refresh_microphones"
    NEXT_UNSURE = "next_unsure"
    PREVIOUS_UNSURE = "previous_unsure"
    GO_DICTATION = "go_dictation"
    GO_FILES = "go_files"
    GO_HISTORY = "go_history"
    GO_EXPORT = "go_export"


@dataclass(frozen=True)
class ActionSpec:
    """Attributes:
    id: Which action.
    menu: The menu it is in ("File", "Dictation").
    text: Its label (translated by the window); every one has a mnemonic (its "&" letter),
        so a menu is worked by the keyboard alone.
    shortcut: A key sequence, a standard key, or None.
    separator_before: A separator line above it in the menu.
    toolbar: Also on the toolbar.
    """

    id: ActionId
    menu: str
    text: str
    shortcut: QKeySequence.StandardKey | str | None = None
    separator_before: bool = False
    toolbar: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(ActionId.OPEN, "&File", "&Open…", QKeySequence.StandardKey.Open),
    ActionSpec(ActionId.SAVE, "&File", "&Save", QKeySequence.StandardKey.Save),
    ActionSpec(ActionId.EXPORT, "&File", "&Export…", "Ctrl+E"),
    ActionSpec(ActionId.PREFERENCES, "&File", "&Preferences…", "Ctrl+,", separator_before=True),
    ActionSpec(ActionId.MODELS, "&File", "&Models…", "Ctrl+M"),
    ActionSpec(ActionId.QUIT, "&File", "&Quit", QKeySequence.StandardKey.Quit, separator_before=True),
    ActionSpec(ActionId.NEXT_UNSURE, "&Edit", "&Next Unsure Word", "F8"),
    ActionSpec(ActionId.PREVIOUS_UNSURE, "&Edit", "&Previous Unsure Word", "Shift+F8"),
    ActionSpec(ActionId.GO_DICTATION, "&View", "&Dictation Editor", "Ctrl+1"),
    ActionSpec(ActionId.GO_FILES, "&View", "&Files", "Ctrl+2"),
    ActionSpec(ActionId.GO_HISTORY, "&View", "&History Search", "Ctrl+3"),
    ActionSpec(ActionId.GO_EXPORT, "&View", "E&xport Options", "Ctrl+4"),
    ActionSpec(ActionId.RECORD, "&Dictation", "&Record", "F9", toolbar=True),
    ActionSpec(ActionId.OPEN_DICTATION, "&Dictation", "Open as &Transcript"),
    ActionSpec(ActionId.SHOW_RECORDINGS, "&Dictation", "Show Recordings &Folder"),
    ActionSpec(ActionId.REFRESH_MICROPHONES, "&Dictation", "Refresh &Microphones"),
)
