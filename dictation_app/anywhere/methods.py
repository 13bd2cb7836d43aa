"""Ways of putting text into the focused application, one class each (no Qt).

Every method says whether it can run here (:meth:`Method.problem`: None, or what is missing
and the package or setting that fixes it) and inserts text or raises
:class:`~dictation_app.anywhere.x11.InsertError`. :func:`methods_for` gives them in the order
they are tried on this desktop: typing first (the clipboard is left alone), pasting last.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable

from dictation_app.anywhere.desktop import Desktop, Session
from dictation_app.anywhere.keys import parse_chord, typed_by_any_layout
from dictation_app.errors import InsertError
from dictation_app.system import child_environment

__all__ = [
    "METHOD_NAMES",
    "Method",
    "XTestTyping",
    "X11Paste",
    "VirtualKeyboardTyping",
    "WtypeTyping",
    "PortalTyping",
    "PortalPaste",
    "YdotoolTyping",
    "WaylandPaste",
    "methods_for",
    "paste_chord",
]

#: programs whose paste key is not Ctrl+V (WM_CLASS or Wayland app id, lower case)
_SHIFT_INSERT = {"xterm", "uxterm", "rxvt", "urxvt", "rxvt-unicode"}
_TERMINALS = {
    "gnome-terminal",
    "gnome-terminal-server",
    "org.gnome.terminal",
    "konsole",
    "org.kde.konsole",
    "xfce4-terminal",
    "terminator",
    "tilix",
    "alacritty",
    "kitty",
    "foot",
    "footclient",
    "wezterm",
    "org.wezfurlong.wezterm",
    "st",
    "st-256color",
    "lxterminal",
    "mate-terminal",
    "qterminal",
    "terminology",
    "sakura",
    "guake",
    "tilda",
    "ptyxis",
    "org.gnome.ptyxis",
    "com.mitchellh.ghostty",
    "ghostty",
    "kgx",
    "org.gnome.console",
    "blackbox",
}


_NO_WAYLAND = "no Wayland display (WAYLAND_DISPLAY is unset)"


def paste_chord(app: str, override: str = "") -> str:
    """The key that pastes into ``app``: Ctrl+V, Ctrl+Shift+V in terminals, Shift+Insert in
    xterm (whose Ctrl+Shift+V does nothing); ``override`` wins when set."""
    if override:
        return override
    app = app.lower()
    if app in _SHIFT_INSERT:
        return "Shift+Insert"
    if app in _TERMINALS or app.endswith("terminal"):
        return "Ctrl+Shift+V"
    return "Ctrl+V"


class Method:
    """Attributes:
    name: Short name (settings, doctor, the overlay).
    kind: "typing" or "paste".
    package: The Debian package that provides what it needs.
    """

    name = ""
    kind = "typing"
    package = ""
    #: Getting ready may ask the user (the portal's consent); once declined, the methods that
    #: would ask again are left out of that dictation.
    asks_user = False

    def problem(self) -> str | None:
        return None

    def prepare(self) -> None:
        """Get ready to insert (raises :class:`InsertError`): where the desktop asks the user
        first (GNOME's portal), it asks now, when dictation or the check starts, and not at
        the first words."""

    def insert(self, text: str, app: str = "") -> None:
        raise NotImplementedError

    def erase(self, count: int) -> None:
        """Press BackSpace ``count`` times (a spoken edit of what was typed last)."""
        self.insert("\b" * count)

    def close(self) -> None:
        pass


def _run(argv: list[str], what: str, timeout: float = 5.0) -> None:
    try:
        result = subprocess.run(argv, capture_output=True, timeout=timeout, env=child_environment())
    except FileNotFoundError:
        raise InsertError(f"{argv[0]} is not installed.") from None
    except subprocess.TimeoutExpired:
        raise InsertError(f"{what} did not finish within {timeout:.0f} s.") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InsertError(f"{what} failed: {detail[-1] if detail else f'exit status {result.returncode}'}.")


class _Connected(Method):
    """A method that holds one connection (to the X server, the compositor, the portal) for a
    dictation: opened on first use, closed with the delivery. Where opening it prompts nobody,
    failing to open it is the method's :meth:`problem`."""

    def __init__(self, desktop: Desktop) -> None:
        self.desktop = desktop
        self._keyboard = None

    def _connect(self):
        raise NotImplementedError

    def _missing(self) -> str | None:
        """What rules the method out without connecting (no display), or None."""
        return None

    @property
    def keyboard(self):
        if self._keyboard is None:
            self._keyboard = self._connect()
        return self._keyboard

    def problem(self) -> str | None:
        missing = self._missing()
        if missing:
            return missing
        try:
            _ = self.keyboard  # made on first use: made now, or what is missing is said
        except InsertError as exc:
            return str(exc)
        return None

    def prepare(self) -> None:
        _ = self.keyboard

    def close(self) -> None:
        if self._keyboard is not None:
            self._keyboard.close()
            self._keyboard = None


class _X11Method(_Connected):
    def _connect(self):
        from dictation_app.anywhere.x11 import XKeyboard

        return XKeyboard(self.desktop.x_display or None)

    def _missing(self) -> str | None:
        return None if self.desktop.x_display else "no X display (DISPLAY is unset)"


class XTestTyping(_X11Method):
    """X11: types each character through XTest, any character in any layout."""

    name, package = "xtest", "python-xlib (bundled)"

    def insert(self, text: str, app: str = "") -> None:
        self.keyboard.type_text(text)


class X11Paste(_X11Method):
    """X11: the text on the clipboard, the target's paste key, the old clipboard put back."""

    name, kind, package = "x11-paste", "paste", "python-xlib (bundled)"

    def __init__(self, desktop: Desktop, paste_key: str = "") -> None:
        super().__init__(desktop)
        self.paste_key = paste_key
        self._clipboard = None

    def insert(self, text: str, app: str = "") -> None:
        from dictation_app.anywhere.x11_clipboard import X11Clipboard

        if self._clipboard is None:
            self._clipboard = X11Clipboard(self.desktop.x_display or None)
        chord = paste_chord(app, self.paste_key)
        selections = ("CLIPBOARD", "PRIMARY") if chord == "Shift+Insert" else ("CLIPBOARD",)
        try:
            self._clipboard.paste(text, lambda: self.keyboard.press_chord(chord), selections)
        except InsertError as exc:
            focused = self.keyboard.focused_window()
            where = f"{focused.app} '{focused.title}'" if focused else "no window"
            raise InsertError(f"{exc} (focus: {where}; paste key {chord})") from None

    def erase(self, count: int) -> None:
        for _ in range(count):
            self.keyboard.press_chord("BackSpace")

    def close(self) -> None:
        if self._clipboard is not None:
            self._clipboard.close()
            self._clipboard = None
        super().close()


class _WaylandMethod(Method):
    tool = ""

    def __init__(self, desktop: Desktop) -> None:
        self.desktop = desktop

    def problem(self) -> str | None:
        if not self.desktop.wayland_display:
            return _NO_WAYLAND
        if shutil.which(self.tool) is None:
            return f"{self.tool} is not installed (sudo apt install {self.package})"
        return None


class VirtualKeyboardTyping(_Connected):
    """Wayland (wlroots: sway, Hyprland, river; not GNOME or KDE): the app's own virtual
    keyboard, one per dictation (:mod:`dictation_app.anywhere.wayland_keyboard`)."""

    name, package = "virtual-keyboard", "(built in; a wlroots compositor)"

    def _connect(self):
        from dictation_app.anywhere.wayland_keyboard import WaylandKeyboard

        return WaylandKeyboard(self.desktop.wayland_display)

    def _missing(self) -> str | None:
        return None if self.desktop.wayland_display else _NO_WAYLAND

    def insert(self, text: str, app: str = "") -> None:
        self.keyboard.type_text(text)


class PortalTyping(_Connected):
    """GNOME, KDE (any desktop with an XDG RemoteDesktop portal): keys through the portal, one
    session per dictation, or one per run where the desktop asks at every session
    (:mod:`dictation_app.anywhere.portal`). The portal types a keysym
    only if the user's layout has a key for it (KDE and GNOME drop the others without an
    error), so a text of characters every Latin layout has is typed and one with others (é, —,
    °) is pasted whole: the clipboard through wl-copy, the paste key through the portal, the
    old clipboard put back. Not typed around a paste: the target reads a paste's text after
    keys sent later (GNOME 43 typed "naveï" for "naïve")."""

    name, package = "portal", "xdg-desktop-portal with a GNOME or KDE backend"
    asks_user = True

    def __init__(self, desktop: Desktop, paste_key: str = "") -> None:
        super().__init__(desktop)
        self.paste_key = paste_key

    def _connect(self):
        from dictation_app.anywhere.portal import keyboard_session

        return keyboard_session()

    def close(self) -> None:
        from dictation_app.anywhere.portal import release_keyboard

        if self._keyboard is not None:
            release_keyboard(self._keyboard)
            self._keyboard = None

    def problem(self) -> str | None:
        """Asked without a session: starting one may make the desktop ask the user."""
        from dictation_app.anywhere.portal import REMOTE_DESKTOP, interface_problem

        return interface_problem(REMOTE_DESKTOP)

    def insert(self, text: str, app: str = "") -> None:
        if all(typed_by_any_layout(char) for char in text):
            self.keyboard.type_text(text)
        else:  # in one paste: a paste's text arrives later than keys typed after it (GNOME)
            self._paste(text, app)

    def erase(self, count: int) -> None:
        self.keyboard.type_text("\b" * count)

    def _paste(self, text: str, app: str) -> None:
        chord = paste_chord(app, self.paste_key)
        settle = COPY_SETTLE_S if self.desktop.compositor == "KDE" else MUTTER_COPY_SETTLE_S
        keyboard = self.keyboard  # the portal's session (and its question) before the clipboard is touched
        wayland_paste(text, lambda: keyboard.press_chord(chord), settle)
        time.sleep(PASTE_SETTLE_S)  # the target reads the pasted text before the next keys come


class PortalPaste(PortalTyping):
    """GNOME, KDE: all of the text through the clipboard, the paste key through the portal."""

    name, kind, package = "portal-paste", "paste", "xdg-desktop-portal with a GNOME or KDE backend, and wl-clipboard"

    def problem(self) -> str | None:
        if shutil.which("wl-copy") is None:
            return "wl-copy is not installed (sudo apt install wl-clipboard)"
        return super().problem()

    def insert(self, text: str, app: str = "") -> None:
        self._paste(text, app)


class WtypeTyping(_WaylandMethod):
    """Wayland (wlroots: sway, Hyprland, river; not GNOME or KDE): wtype's virtual keyboard."""

    name, tool, package = "wtype", "wtype", "wtype"

    def erase(self, count: int) -> None:
        _run(["wtype", "-M", "shift", "-m", "shift", *(["-k", "BackSpace"] * count)], "wtype (BackSpace)")

    def insert(self, text: str, app: str = "") -> None:
        # wtype's first key of each run is lost while the client takes its new keymap (measured
        # with foot under sway): a Shift tap goes first, which no application reads as text.
        _run(["wtype", "-M", "shift", "-m", "shift", "--", text], "wtype")


class YdotoolTyping(_WaylandMethod):
    """Any Wayland desktop, through the kernel's uinput: needs ydotoold running."""

    name, tool, package = "ydotool", "ydotool", "ydotool"

    def problem(self) -> str | None:
        if shutil.which("ydotool") is None:
            return "ydotool is not installed (sudo apt install ydotool; then run ydotoold)"
        socket = os.environ.get("YDOTOOL_SOCKET") or "/tmp/.ydotool_socket"
        if not os.path.exists(socket):
            return f"ydotoold is not running (no socket at {socket}); start it: sudo ydotoold &"
        return None

    def insert(self, text: str, app: str = "") -> None:
        _run(["ydotool", "type", "--", text], "ydotool")


class WaylandPaste(_WaylandMethod):
    """Wayland: wl-copy offers the text once, the paste key goes through wtype, then the old
    clipboard is put back unless the user copied something meanwhile."""

    name, kind, tool, package = "wl-paste", "paste", "wl-copy", "wl-clipboard and wtype"

    def __init__(self, desktop: Desktop, paste_key: str = "") -> None:
        super().__init__(desktop)
        self.paste_key = paste_key

    def problem(self) -> str | None:
        if not self.desktop.wayland_display:
            return _NO_WAYLAND
        for tool, package in (("wl-copy", "wl-clipboard"), ("wl-paste", "wl-clipboard"), ("wtype", "wtype")):
            if shutil.which(tool) is None:
                return f"{tool} is not installed (sudo apt install {package})"
        return None

    def erase(self, count: int) -> None:
        _run(["wtype", "-M", "shift", "-m", "shift", *(["-k", "BackSpace"] * count)], "wtype (BackSpace)")

    def insert(self, text: str, app: str = "") -> None:
        mods, key = _wtype_chord(paste_chord(app, self.paste_key))
        press = ["wtype", "-M", "shift", "-m", "shift", *mods, "-k", key, *_release(mods)]
        wayland_paste(text, lambda: _run(press, "wtype (paste key)"))


def _wayland_clipboard() -> bytes | None:
    """The clipboard's text, None if empty. On KWin 5.27 wl-paste waits forever on an empty
    clipboard (a full one answers in 3-9 ms), so a short wait means empty."""
    try:
        result = subprocess.run(["wl-paste", "--no-newline"], capture_output=True, timeout=0.5, env=child_environment())
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


COPY_SETTLE_S = 0.05  # wl-copy owns the selection through the data-control protocol (wlroots, KWin)
MUTTER_COPY_SETTLE_S = 0.3  # ... or, without it (GNOME), after mapping a surface for the focus
PASTE_SETTLE_S = 0.2


def wayland_paste(text: str, press: Callable[[], None], settle: float = COPY_SETTLE_S) -> None:
    """Offer ``text`` once on the Wayland clipboard (wl-copy), ``press`` the paste key, then put
    the old clipboard back unless the user copied something meanwhile."""
    before = _wayland_clipboard()
    try:
        offer = subprocess.Popen(
            ["wl-copy", "--foreground", "--paste-once", "--type", "text/plain;charset=utf-8"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=child_environment(),
        )
    except FileNotFoundError:
        raise InsertError("wl-copy is not installed (sudo apt install wl-clipboard).") from None
    offer.stdin.write(text.encode("utf-8"))
    offer.stdin.close()
    try:
        # wl-copy owns the selection before the key goes out; where the compositor has no
        # data-control protocol (GNOME) it maps a surface of its own for a moment to get the
        # keyboard's focus, and a key sent meanwhile goes there
        time.sleep(settle)
        if offer.poll():  # wl-copy could not take the clipboard ("This seat has no keyboard")
            raise InsertError(f"wl-copy failed: {offer.stderr.read().decode(errors='replace').strip()}")
        press()
        if offer.wait(timeout=2.0):  # a busy machine is slow, not a refusal
            raise InsertError(f"wl-copy failed: {offer.stderr.read().decode(errors='replace').strip()}")
    except subprocess.TimeoutExpired:
        raise InsertError("The focused window did not take the pasted text within 2 s.") from None
    finally:
        if offer.poll() is None:
            offer.kill()
            offer.wait()
        # nobody copied meanwhile: the clipboard is empty, or holds what was pasted (GNOME's
        # clipboard manager keeps a text whose owner has gone)
        if before is not None and _wayland_clipboard() in (None, text.encode("utf-8")):
            subprocess.Popen(
                ["wl-copy"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=child_environment(),
            ).communicate(before, timeout=2.0)


def _wtype_chord(chord: str) -> tuple[list[str], str]:
    mods, key = parse_chord(chord)
    names = {"Control_L": "ctrl", "Shift_L": "shift", "Alt_L": "alt", "Super_L": "logo"}
    return [arg for m in mods for arg in ("-M", names[m])], key


def _release(mods: list[str]) -> list[str]:
    names = mods[1::2]
    return [arg for name in reversed(names) for arg in ("-m", name)]


_FACTORIES: dict[str, Callable[[Desktop, str], Method]] = {
    "xtest": lambda d, key: XTestTyping(d),
    "x11-paste": lambda d, key: X11Paste(d, key),
    "virtual-keyboard": lambda d, key: VirtualKeyboardTyping(d),
    "portal": lambda d, key: PortalTyping(d, key),
    "wtype": lambda d, key: WtypeTyping(d),
    "ydotool": lambda d, key: YdotoolTyping(d),
    "wl-paste": lambda d, key: WaylandPaste(d, key),
    "portal-paste": lambda d, key: PortalPaste(d, key),
}

#: what the ``anywhere/method`` setting may name ("auto": this session's chain)
METHOD_NAMES = ("auto", *_FACTORIES)


#: Wayland desktops that type for other applications only through the RemoteDesktop portal
_PORTAL_DESKTOPS = {"KDE", "GNOME", "ubuntu", "Unity", "pop", "Budgie"}


def methods_for(desktop: Desktop, forced: str = "auto", paste_key: str = "") -> list[Method]:
    """The methods to try, in order: the forced one alone, or this session's chain."""
    if forced != "auto":
        return [_FACTORIES[forced](desktop, paste_key)]
    if desktop.session == Session.WAYLAND and desktop.compositor in _PORTAL_DESKTOPS:
        names = ["portal", "ydotool", "portal-paste"]  # no virtual keyboard for clients there
    elif desktop.session == Session.WAYLAND:
        names = ["virtual-keyboard", "portal", "wtype", "ydotool", "wl-paste"]
    elif desktop.session == Session.X11:
        names = ["xtest", "x11-paste"]
    else:
        names = []
    return [_FACTORIES[n](desktop, paste_key) for n in names]
