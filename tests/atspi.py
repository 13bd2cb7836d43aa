"""The accessibility tree (AT-SPI) read over D-Bus, as a screen reader reads it: the tests find
a window's controls by role and name, where the keyboard's focus is, and a text field's text."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from jeepney import DBusAddress, HeaderFields, new_method_call
from jeepney.io.blocking import open_dbus_connection

ACCESSIBLE = "org.a11y.atspi.Accessible"
REGISTRY = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
#: AtspiStateType bits (at-spi2-core's atspi-constants.h) the tests look at
STATES = {"checked": 4, "enabled": 8, "focusable": 11, "focused": 12, "sensitive": 24, "showing": 25, "visible": 30}


@dataclass(frozen=True)
class Node:
    bus_name: str
    path: str
    role: str
    name: str


class Accessibility:
    """A connection to the accessibility bus of the session bus at ``session_address``
    (org.a11y.Bus starts it on demand)."""

    def __init__(self, session_address: str) -> None:
        with open_dbus_connection(bus=session_address) as session:
            launcher = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
            (address,) = session.send_and_get_reply(new_method_call(launcher, "GetAddress"), timeout=20).body
        self.address = address
        self.conn = open_dbus_connection(bus=address)

    def close(self) -> None:
        self.conn.close()

    def _call(self, bus_name: str, path: str, interface: str, method: str, signature=None, body=()):
        address = DBusAddress(path, bus_name=bus_name, interface=interface)
        reply = self.conn.send_and_get_reply(new_method_call(address, method, signature, body), timeout=10)
        if reply.header.message_type.name != "method_return":
            raise LookupError(f"{interface}.{method} on {bus_name}{path}: {reply.body}")
        return reply.body

    def node(self, bus_name: str, path: str) -> Node:
        (role,) = self._call(bus_name, path, ACCESSIBLE, "GetRoleName")
        (name,) = self._call(bus_name, path, "org.freedesktop.DBus.Properties", "Get", "ss", (ACCESSIBLE, "Name"))
        return Node(bus_name, path, role, name[1])

    def children(self, bus_name: str, path: str) -> list[tuple[str, str]]:
        (children,) = self._call(bus_name, path, ACCESSIBLE, "GetChildren")
        return [tuple(child) for child in children]

    def walk(self, bus_name: str = REGISTRY[0], path: str = REGISTRY[1], depth: int = 40):
        """Every node under one, depth first (applications that vanish meanwhile are skipped)."""
        stack, seen = [(bus_name, path, 0)], set()
        while stack:
            bus, where, level = stack.pop()
            if (bus, where) in seen:  # GTK 4.8 lists some nodes under more than one parent
                continue
            seen.add((bus, where))
            with contextlib.suppress(LookupError, TimeoutError):
                yield self.node(bus, where)
                if level < depth:
                    stack.extend((b, p, level + 1) for b, p in reversed(self.children(bus, where)))

    def find(self, role: str, name: str, timeout: float = 30.0, application: str | None = None) -> Node:
        """The first node with this role and name (in ``application`` only, when given: a walk
        of the whole desktop, GNOME Shell's tree included, costs the CPU of a core when
        repeated), waiting for it to appear. GTK 4.8 names a button with a mnemonic by both its
        labels ("_Share Share"): the last one counts."""
        deadline = time.monotonic() + timeout
        while True:
            for node in self._nodes(application):
                if node.role == role and (node.name == name or node.name.endswith(" " + name)):
                    return node
            if time.monotonic() > deadline:
                seen = sorted({f"{n.role}:{n.name}" for n in self._nodes(application) if n.name})
                raise AssertionError(f"no {role} named {name!r} within {timeout} s; named nodes: {seen}")
            time.sleep(0.3)

    def _nodes(self, application: str | None):
        if application is None:
            yield from self.walk()
            return
        for app in self.walk(depth=1):
            if app.role == "application" and app.name == application:
                yield from self.walk(app.bus_name, app.path)

    def states(self, node: Node) -> set[str]:
        (bits,) = self._call(node.bus_name, node.path, ACCESSIBLE, "GetState")
        value = bits[0] | bits[1] << 32
        return {name for name, bit in STATES.items() if value >> bit & 1}

    def focused(self, application: str) -> Node | None:
        """The node that has the keyboard's focus in ``application`` (as a screen reader says it)."""
        for app in self.walk(depth=1):
            if app.role == "application" and app.name == application:
                for node in self.walk(app.bus_name, app.path):
                    if "focused" in self.states(node):
                        return node
        return None

    def text(self, node: Node) -> str:
        """All of a text node's text (its Text interface)."""
        (text,) = self._call(node.bus_name, node.path, "org.a11y.atspi.Text", "GetText", "ii", (0, -1))
        return text


class Announcements:
    """What the app announces to a screen reader (AT-SPI ``object:announcement`` events), heard
    on a connection of its own, as a screen reader registers for them."""

    def __init__(self, a11y: Accessibility) -> None:
        import threading

        from jeepney import MatchRule, message_bus

        self.heard: list[str] = []
        self.conn = open_dbus_connection(bus=a11y.address)
        rule = MatchRule(type="signal", interface="org.a11y.atspi.Event.Object", member="Announcement")
        self.conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=10)
        registry = DBusAddress("/org/a11y/atspi/registry", REGISTRY[0], "org.a11y.atspi.Registry")
        register = new_method_call(registry, "RegisterEvent", "s", ("object:announcement",))
        a11y.conn.send_and_get_reply(register, timeout=10)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                message = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except OSError:
                return
            if message.header.fields.get(HeaderFields.member) == "Announcement":
                detail = message.body[3]  # any_data: (signature, value)
                self.heard.append(str(detail[1]) if isinstance(detail, tuple) else str(detail))

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in said for said in self.heard):
            if time.monotonic() > deadline:
                raise AssertionError(f"not announced within {timeout} s: {text!r}; heard {self.heard}")
            time.sleep(0.1)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.conn.close()
