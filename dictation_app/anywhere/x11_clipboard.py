"""The X11 clipboard for paste insertion: read what it holds, offer text until a window has
taken it, then put back what it held, unless the user copied something meanwhile (no Qt).

The app owns the selection itself (python-xlib) rather than through xclip, so it knows when
the target read the text (a SelectionRequest for a text target was answered) and when
somebody else took the clipboard over (SelectionClear).
"""

from __future__ import annotations

import threading
import time

from dictation_app.errors import InsertError

__all__ = ["X11Clipboard"]

TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain", "COMPOUND_TEXT")


class _Offer:
    """Text offered on some selections by one window, served on its own thread."""

    def __init__(self, display_name: str | None, selections: tuple[str, ...], data: bytes) -> None:
        from Xlib import X, display

        self.display = display.Display(display_name)
        self.data = data
        self.taken = threading.Event()  # a text target was served
        self.lost = threading.Event()  # somebody else owns a selection now
        self._stop = False
        atom = self.display.intern_atom
        self.window = self.display.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
        self.selections = [atom(s) for s in selections]
        self.targets_atom, self.text_atoms = atom("TARGETS"), [atom(t) for t in TEXT_TARGETS]
        for selection in self.selections:
            self.window.set_selection_owner(selection, X.CurrentTime)
        self.display.sync()
        if any(self.display.get_selection_owner(s) != self.window for s in self.selections):
            self.display.close()
            raise InsertError("Another program would not let go of the clipboard.")
        self.thread = threading.Thread(target=self._serve, name="clipboard", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        from Xlib import X

        while not self._stop:
            while self.display.pending_events():
                event = self.display.next_event()
                if event.type == X.SelectionRequest:
                    self._answer(event)
                elif event.type == X.SelectionClear:
                    self.lost.set()
                    self._stop = True
            time.sleep(0.005)
        self.display.close()

    def _answer(self, request) -> None:
        from Xlib import X, Xatom
        from Xlib.protocol import event as xevent

        prop = request.property or request.target
        if request.target == self.targets_atom:
            request.requestor.change_property(prop, Xatom.ATOM, 32, [self.targets_atom, *self.text_atoms])
        elif request.target in self.text_atoms:
            request.requestor.change_property(prop, request.target, 8, self.data)
            self.taken.set()
        else:
            prop = X.NONE  # refused: a target we do not offer
        reply = xevent.SelectionNotify(
            time=request.time,
            requestor=request.requestor,
            selection=request.selection,
            target=request.target,
            property=prop,
        )
        request.requestor.send_event(reply)
        self.display.flush()

    def still_owner(self) -> bool:
        return not self.lost.is_set()

    def withdraw(self) -> None:
        """Stop offering (the selections become empty, if still ours)."""
        from Xlib import X

        if not self.lost.is_set():
            for selection in self.selections:
                self.window.set_selection_owner(selection, X.NONE, X.CurrentTime)
            self.display.flush()
        self._stop = True
        self.thread.join(1.0)


class X11Clipboard:
    """Paste-insertion's clipboard on one display.

    Args:
        display_name: The X display (default: ``$DISPLAY``).
    """

    def __init__(self, display_name: str | None = None) -> None:
        self.display_name = display_name
        self._keepers: list[_Offer] = []  # serve what the selections held before a paste

    def read(self, selection: str = "CLIPBOARD", timeout: float = 0.5) -> bytes | None:
        """The selection's text, or None when it is empty or holds no text."""
        from Xlib import X, display

        conn = display.Display(self.display_name)
        try:
            atom = conn.intern_atom
            if conn.get_selection_owner(atom(selection)) == X.NONE:
                return None
            window = conn.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
            prop = atom("DICTATION_APP_CLIP")
            window.convert_selection(atom(selection), atom("UTF8_STRING"), prop, X.CurrentTime)
            conn.flush()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                while conn.pending_events():
                    event = conn.next_event()
                    if event.type == X.SelectionNotify:
                        if event.property == X.NONE:
                            return None
                        value = window.get_full_property(prop, X.AnyPropertyType)
                        return bytes(value.value) if value is not None else None
                time.sleep(0.005)
            return None
        finally:
            conn.close()

    def paste(
        self, text: str, press_paste_key, selections: tuple[str, ...] = ("CLIPBOARD", "PRIMARY"), timeout: float = 2.0
    ) -> None:
        """Offer ``text``, call ``press_paste_key()``, wait until a window has taken it, then
        restore what the clipboard held. Raises :class:`InsertError` when nobody took it."""
        before = {s: self.read(s) for s in selections}
        offer = _Offer(self.display_name, selections, text.encode("utf-8"))
        self._keepers = []  # they saw SelectionClear and stop by themselves
        try:
            press_paste_key()
            if not offer.taken.wait(timeout):
                raise InsertError(
                    f"The focused window did not take the pasted text (no paste request within {timeout:.1f} s)."
                )
            time.sleep(0.05)  # a client may read the text twice (length, then data)
        finally:
            keep = offer.still_owner()
            offer.withdraw()
            if keep:  # nobody copied anything meanwhile: put back what was there
                self._restore(before)

    def _restore(self, before: dict[str, bytes | None]) -> None:
        """Serve each selection's old text again (the app keeps serving it until another
        program takes the selection, as any clipboard owner does); an empty one stays empty."""
        for selection, data in before.items():
            if data is not None:
                try:
                    self._keepers.append(_Offer(self.display_name, (selection,), data))
                except InsertError:
                    pass  # somebody else owns it already: theirs now

    def close(self) -> None:
        for keeper in self._keepers:
            keeper.withdraw()
        self._keepers = []
