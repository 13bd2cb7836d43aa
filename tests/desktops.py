"""Real desktops for the dictation-anywhere tests: an X server (Xvfb with the openbox window
manager) and a headless sway (Wayland), each started once per test session, and target
applications nobody here wrote (xterm, l3afpad, foot) in their own processes.

In CI every piece must be there (make test installs them): a missing one fails the test
instead of skipping it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} not installed; .ci/run (make test) must install them")
        pytest.skip(f"{', '.join(missing)} not installed (make test installs them)")


def wait_for(condition, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="session")
def x11():
    """An X display with a window manager; the environment for its clients."""
    need("Xvfb", "openbox", "xdotool")
    with running_x11() as env:
        yield env


@pytest.fixture(scope="session")
def sway():
    """A headless sway; the environment for its clients (see :func:`running_sway`)."""
    need("sway", "foot", "wtype", "wl-copy")
    with running_sway() as env:
        yield env


@contextlib.contextmanager
def running_x11():
    """Xvfb on a display number it picks (free, and held against another run starting beside
    it) with openbox; yields the environment for its clients."""
    import tempfile

    ready, told = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(told), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(told,),
    )
    os.close(told)
    with os.fdopen(ready) as said:  # the number, once the server accepts clients
        number = said.readline().strip()
    assert number, f"Xvfb did not start (exit status {server.wait(timeout=10)})"
    env = {**os.environ, "DISPLAY": f":{number}"}
    for key in ("WAYLAND_DISPLAY", "SWAYSOCK", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE"):
        env.pop(key, None)
    home = tempfile.mkdtemp(prefix="dictation-app-openbox-")
    wm = subprocess.Popen(["openbox"], env={**env, "HOME": home}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield env
    finally:
        for process in (wm, server):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # seen once of openbox, after a benchmark's run
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def running_sway():
    """A headless sway; yields the environment for its clients (WAYLAND_DISPLAY as an
    absolute path, so XDG_RUNTIME_DIR stays the one PulseAudio uses). sway refuses to run as
    root, so as root it runs as ``nobody``."""
    import tempfile

    runtime = Path(tempfile.mkdtemp(prefix="dictation-app-sway-"))  # pytest's own folders are root-only
    config = runtime / "config"
    config.write_text("output HEADLESS-1 resolution 1280x800\n")
    env = {
        "HOME": str(runtime),
        "XDG_RUNTIME_DIR": str(runtime),
        "WLR_BACKENDS": "headless",
        "WLR_LIBINPUT_NO_DEVICES": "1",
        "WLR_RENDERER": "pixman",
        "PATH": os.environ["PATH"],
    }
    argv = ["sway", "-c", str(config)]
    if os.getuid() == 0:
        os.chown(runtime, 65534, 65534)
        os.chmod(config, 0o644)
        argv = ["runuser", "-u", "nobody", "--", *argv]
    compositor = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = wait_for(lambda: next(iter(sorted(runtime.glob("wayland-*[0-9]"))), None), what="sway's socket")
    ipc = wait_for(lambda: next(iter(runtime.glob("sway-ipc.*.sock")), None), what="sway's IPC socket")
    client = {**os.environ, "WAYLAND_DISPLAY": str(socket), "SWAYSOCK": str(ipc)}
    for key in ("DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE"):
        client.pop(key, None)
    # Headless, the seat has no keyboard until a virtual one appears, and clients lose the keys
    # sent while they bind to it. A desktop always has a keyboard: a virtual one that stays
    # (wtype sleeping for an hour) stands in for it.
    keyboard = subprocess.Popen(
        ["wtype", "-s", "3600000"], env=client, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(0.3)
    try:
        yield client
    finally:
        keyboard.terminate()
        compositor.terminate()
        compositor.wait(timeout=10)
        shutil.rmtree(runtime, ignore_errors=True)


class Target:
    """An application typed into in a test; :meth:`text` is what it holds."""

    def text(self) -> str:
        raise NotImplementedError

    def wait_text(self, expected: str, timeout: float = 10.0) -> str:
        """The text once it is ``expected``, or whatever it is after ``timeout``."""
        try:
            return wait_for(lambda: self.text() if self.text() == expected else None, timeout, f"{expected!r}")
        except AssertionError:
            return self.text()


class Terminal(Target):
    """A terminal running ``cat > FILE``: what it receives, line by line, lands in the file."""

    def __init__(self, argv_prefix: list[str], env: dict, folder: Path, title: str) -> None:
        self.file = folder / f"{title}.txt"
        self.file.touch()
        self.file.chmod(0o666)
        self.process = subprocess.Popen(
            [*argv_prefix, "sh", "-c", f"cat > '{self.file}'"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.env = env
        self.title = title

    def wait_ready(self) -> None:
        """Until its shell has started ``cat`` (then the terminal reads keys and pastes)."""

        def descendants(pid: int) -> list[int]:
            children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
            return [int(c) for c in children] + [d for c in children for d in descendants(int(c))]

        wait_for(
            lambda: any(
                Path(f"/proc/{p}/comm").read_text().strip() == "cat"
                for p in descendants(self.process.pid)
                if Path(f"/proc/{p}/comm").exists()
            ),
            what=f"{self.title}'s shell",
        )
        time.sleep(0.2)  # the window manager's and the terminal's own start-up settle

    def text(self) -> str:
        return self.file.read_text(encoding="utf-8")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def xterm(env: dict, folder: Path, title: str = "target") -> Terminal:
    need("xterm")
    term = Terminal(["xterm", "-T", title, "-fa", "Monospace", "-e"], env, folder, title)
    window = wait_for(lambda: _window_id(env, title), what=f"xterm {title}")
    term.wait_ready()
    activate(env, window)
    term.window = window
    return term


def foot(env: dict, folder: Path, title: str = "target") -> Terminal:
    term = Terminal(["foot", "--title", title, "--app-id", "foot", "--"], env, folder, title)
    wait_for(
        lambda: title in subprocess.run(["swaymsg", "-t", "get_tree"], env=env, capture_output=True, text=True).stdout,
        timeout=30,  # a loaded machine: 10 s was not always enough
        what=f"foot {title}",
    )
    term.wait_ready()
    return term


def l3afpad(env: dict, saved: Path) -> subprocess.Popen:
    """The GTK editor l3afpad on ``saved``, its window shown and made active. The window is
    found by its process: a new window may get the id and title of one just closed, and the
    active window named so took no key for half a second (a first Ctrl+V went nowhere)."""
    need("l3afpad")
    editor = subprocess.Popen(["l3afpad", str(saved)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def shown() -> int | None:
        search = ["xdotool", "search", "--onlyvisible", "--pid", str(editor.pid)]
        found = subprocess.run(search, env=env, capture_output=True, text=True).stdout.split()
        return int(found[-1]) if found else None

    activate(env, wait_for(shown, what="l3afpad's window"))
    return editor


def _window_id(env: dict, title: str) -> int | None:
    found = subprocess.run(["xdotool", "search", "--name", f"^{title}$"], env=env, capture_output=True, text=True)
    ids = found.stdout.split()
    return int(ids[-1]) if ids else None


def activate(env: dict, window: int) -> None:
    subprocess.run(["xdotool", "windowactivate", "--sync", str(window)], env=env, check=True, timeout=10)
    wait_for(
        lambda: (
            subprocess.run(["xdotool", "getactivewindow"], env=env, capture_output=True, text=True).stdout.strip()
            == str(window)
        ),
        what="the focus",
    )


@pytest.fixture(scope="session")
def kde():
    """A headless KDE Plasma compositor (KWin) with its portals; the environment for its clients
    (see :func:`running_kde`)."""
    need("kwin_wayland", "dbus-daemon", "dbus-update-activation-environment", "kwrite", "gdbus", "wl-copy")
    with running_kde() as env:
        yield env


def _session_env(desktop: str, runtime: Path, home: Path) -> dict:
    """The environment a desktop session's own processes (compositor, bus, portals) start with."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CURRENT_DESKTOP": desktop,
        "XDG_SESSION_TYPE": "wayland",
        "LANG": "C.UTF-8",
    }


def client_of(env: dict, monkeypatch, data_dir: Path):
    """This test process as an application on the desktop of ``env`` (the portal's client),
    with a data folder of its own; the desktop as the app detects it."""
    from dictation_app.anywhere.desktop import Desktop

    for key in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE"):
        monkeypatch.setenv(key, env[key])
    for key in ("DISPLAY", "SWAYSOCK"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DICTATION_APP_DATA_DIR", str(data_dir))
    return Desktop.detect()


EMPTY_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>
</policy></busconfig>
"""


def _session_bus(env: dict, config: Path | None = None) -> tuple[subprocess.Popen, str]:
    """A private D-Bus session bus (the desktop's: its services are D-Bus activated with
    ``env``), or a bus of ``config``; returns the daemon and its address."""
    daemon = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}" if config else "--session"]
        + ["--nofork", "--nopidfile", "--print-address=1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # the activated portals are its children: one group to end
    )
    return daemon, daemon.stdout.readline().strip()


def _end_group(process: subprocess.Popen) -> None:
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_kde():
    """KWin (Plasma 5.27) on a virtual output, a session bus whose activation environment
    points at it, and the real portal frontend and KDE backend that the bus starts on demand
    (``XDG_CURRENT_DESKTOP=KDE`` picks the backend). Yields the environment for its clients:
    the bus, WAYLAND_DISPLAY as an absolute path (XDG_RUNTIME_DIR stays PulseAudio's).

    The compositor, its portals and the apps run as one user, as on a real desktop (the portal
    frontend reads its callers' /proc entries). ``kwin_wayland`` is run from a copy: the
    package gives it a file capability (cap_sys_resource, to raise its scheduling priority)
    that a container without that capability refuses to exec; the copy has none. KWin's
    screenshot interface is opened to the test (``KWIN_SCREENSHOT_NO_PERMISSION_CHECKS``)
    so the tests can look; its Wayland interfaces keep their permission checks (a client
    gets no virtual keyboard or fake input of its own: typing has to go through the portal)."""
    import tempfile

    runtime = Path(tempfile.mkdtemp(prefix="dictation-app-kde-"))
    kwin = runtime / "kwin_wayland"
    shutil.copyfile(shutil.which("kwin_wayland"), kwin)
    kwin.chmod(0o755)
    base = {**_session_env("KDE", runtime, runtime), "KDE_FULL_SESSION": "true", "KDE_SESSION_VERSION": "5"}
    bus, address = _session_bus(base)
    base["DBUS_SESSION_BUS_ADDRESS"] = address
    compositor = subprocess.Popen(
        [str(kwin), "--virtual", "--no-lockscreen", "--width", "1280", "--height", "800", "--socket", "wayland-kde"],
        env={**base, "KWIN_SCREENSHOT_NO_PERMISSION_CHECKS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    socket = runtime / "wayland-kde"
    try:
        wait_for(socket.exists, timeout=20, what="KWin's socket")
        activation = {"WAYLAND_DISPLAY": "wayland-kde", "QT_QPA_PLATFORM": "wayland"}
        subprocess.run(
            ["dbus-update-activation-environment", *(f"{k}={v}" for k, v in activation.items())],
            env=base,
            check=True,
            timeout=10,
        )
        client = {**os.environ, **{k: base[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_CURRENT_DESKTOP")}}
        client.update({"WAYLAND_DISPLAY": str(socket), "XDG_SESSION_TYPE": "wayland", "KDE_FULL_SESSION": "true"})
        for key in ("DISPLAY", "QT_QPA_PLATFORM", "SWAYSOCK"):
            client.pop(key, None)
        yield client
    finally:
        _end_group(compositor)
        _end_group(bus)
        shutil.rmtree(runtime, ignore_errors=True)


class KWrite(Target):
    """KWrite (KDE's editor, Qt on Wayland) editing ``FILE``, focused by KWin as it opens (the
    test waits until a key sent through the portal lands in it). Its text is read by saving
    it: the test asks the window's own D-Bus action (``file_save_all``, no keys), then reads
    the file."""

    def __init__(self, env: dict, folder: Path, title: str = "target") -> None:
        self.file = folder / f"{title}.txt"
        self.file.write_text("", encoding="utf-8")
        config = folder / f"{title}-config"
        config.mkdir()
        # The text as typed: no newline added at the end of the file, no spaces trimmed on
        # save, no completion popup (a Return typed while it shows would take its word).
        (config / "kwriterc").write_text(
            "[KTextEditor Document]\nNewline at End of File=false\nRemove Spaces=0\n"
            "[KTextEditor View]\nAuto Completion=false\nWord Completion=false\n"
        )
        self.env = {**env, "QT_QPA_PLATFORM": "wayland", "XDG_CONFIG_HOME": str(config)}
        self.title = title
        self.process = subprocess.Popen(
            ["kwrite", str(self.file)], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.service = f"org.kde.kwrite-{self.process.pid}"
        wait_for(lambda: "file_save_all" in self._call("actions"), timeout=30, what="KWrite's window")
        # Ready once KWin has given it the focus: a key pressed into KWin lands in it.
        from dictation_app.anywhere.portal import RemoteDesktopKeyboard

        probe = RemoteDesktopKeyboard(timeout=20, bus=env["DBUS_SESSION_BUS_ADDRESS"])
        try:
            wait_for(lambda: probe.type_text("x") or self.text().startswith("x"), timeout=30, what="KWrite's focus")
            wait_for(lambda: (t := self.text()) == "" or probe.type_text("\b" * len(t)), what="KWrite emptied")
        finally:
            probe.close()

    def _call(self, method: str, *args: str) -> str:
        result = subprocess.run(
            ["gdbus", "call", "--session", "--dest", self.service, "--object-path", "/kwrite/MainWindow_1"]
            + ["--method", f"org.kde.KMainWindow.{method}", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return result.stdout

    def text(self) -> str:
        self._call("activateAction", "file_save_all")
        return self.file.read_text(encoding="utf-8")

    def close(self) -> None:
        self.process.kill()  # terminated, it would ask whether to save
        self.process.wait(timeout=10)


def kde_screenshot(env: dict, path: Path) -> None:
    """The whole KWin output as a PNG (KWin's ScreenShot2 D-Bus interface, a pipe for the
    pixels; Qt writes the file)."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from PySide6.QtGui import QImage

    read, write = os.pipe()
    with open_dbus_connection(bus=env["DBUS_SESSION_BUS_ADDRESS"], enable_fds=True) as conn:
        shooter = DBusAddress(
            "/org/kde/KWin/ScreenShot2", bus_name="org.kde.KWin", interface="org.kde.KWin.ScreenShot2"
        )
        call = new_method_call(shooter, "CaptureActiveScreen", "a{sv}h", ({"include-cursor": ("b", False)}, write))
        reply = conn.send_and_get_reply(call, timeout=20)
    os.close(write)
    assert reply.header.message_type.name == "method_return", reply.body
    info = {key: value[1] for key, value in reply.body[0].items()}
    with os.fdopen(read, "rb") as pipe:
        pixels = pipe.read()
    image = QImage(pixels, info["width"], info["height"], info["stride"], QImage.Format(info["format"]))
    assert image.save(str(path)), path


@pytest.fixture(scope="session")
def gnome(virtual_mic):
    """A headless GNOME session (GNOME Shell, its media-keys daemon, the portals; see
    :func:`running_gnome`), sharing the PulseAudio runtime folder as a GNOME session shares
    /run/user/UID."""
    need("gnome-shell", "dbus-daemon", "dbus-update-activation-environment", "gnome-text-editor", "wl-copy")
    need("gsettings")
    with running_gnome(Path(virtual_mic["XDG_RUNTIME_DIR"])) as env:
        yield env


MEDIA_KEYS = Path("/usr/libexec/gsd-media-keys")


class StuckForks:
    """Ends the children of a process that are still running its own program a few seconds
    after they were first seen: forks that never reached exec.

    GNOME Shell 43, started outside a systemd user session (as here), spawns ``ibus-daemon``
    itself at start (misc/ibusManager.js) with a JavaScript child-setup callback, which runs
    in the forked child before exec. About one start in 130 here (8 of 1,075), the child blocked
    in that callback on GLib's type lock (another of the shell's threads held it at the fork)
    and never ran exec, and the shell waited for it for good in ``g_spawn_async``, before it
    said "GNOME Shell started" (gdb: the shell in g_spawn_async's read of the child's exec
    report, the child in g_rw_lock_reader_lock under JS_CallFunction). Ended, the child closes
    that report; the shell goes on as if the spawn had worked (IBus is not installed here; the
    shell copes without it, as it does when the spawn fails): 4 such starts of 530 finished
    in 4.2 s. A systemd-managed GNOME session starts IBus as a unit of its own, and the shell
    never takes this path."""

    def __init__(self, parent: subprocess.Popen, after_s: float = 3.0) -> None:
        self.parent, self.after_s = parent, after_s
        self.first_seen: dict[int, float] = {}
        self.ended: list[int] = []

    def end(self) -> bool:
        """End the stuck forks seen so far; False (for :func:`wait_for`)."""
        import signal

        try:
            program = os.readlink(f"/proc/{self.parent.pid}/exe")
            tasks = Path(f"/proc/{self.parent.pid}/task").iterdir()
            children = {int(pid) for task in tasks for pid in (task / "children").read_text().split()}
        except OSError:
            return False  # a thread or the process ended meanwhile: look again at the next call
        now = time.monotonic()
        for pid in children:
            with contextlib.suppress(OSError):
                if (
                    os.readlink(f"/proc/{pid}/exe") == program
                    and now - self.first_seen.setdefault(pid, now) > self.after_s
                ):
                    os.kill(pid, signal.SIGKILL)
                    self.ended.append(pid)
        return False


@contextlib.contextmanager
def running_gnome(runtime: Path):
    """GNOME Shell 43 as a headless Wayland display server on a virtual monitor, with
    gnome-settings-daemon's media-keys daemon (it runs the custom keyboard shortcuts a user
    makes in Settings, through the shell's accelerator grabs), a session bus whose activation
    environment points at the compositor, and the real portal frontend with the GNOME and GTK
    backends (only those: the frontend 1.16 falls back to any installed backend for an
    interface the desktop's lack, and this machine has the KDE one too), started on demand.

    The shell needs a system bus (it aborts at start without one: ``LoginManagerSystemd ...
    Could not connect``); it gets a private, empty one (no services to start), so it finds no
    logind there (it says
    "Screen Lock disabled" and goes on) and never touches the machine's. It starts in the
    overview, as after a login; the overview is left by Escape, as a user leaves it.
    Everything shares ``runtime`` (XDG_RUNTIME_DIR): GTK 4.8 and GTK 3 open only a
    WAYLAND_DISPLAY relative to it. Yields the environment for clients."""
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="dictation-app-gnome-"))
    portals = home / "portals"
    portals.mkdir()
    for name in ("gnome.portal", "gtk.portal"):
        shutil.copy(Path("/usr/share/xdg-desktop-portal/portals") / name, portals / name)
    base = _session_env("GNOME", runtime, home)
    # The app as installed: its .desktop file and its command on PATH (GNOME Shell knows an
    # app, for its notifications too, by the .desktop file, and GLib drops an entry whose
    # program is not on PATH); there from the start, as the shell watches only what exists.
    (home / "data" / "applications").mkdir(parents=True)
    shutil.copy(Path(__file__).parents[1] / "resources" / "dictation-app.desktop", home / "data" / "applications")
    base["PATH"] = f"{Path(sys.executable).parent}:{base['PATH']}"
    bus, address = _session_bus(base)
    (home / "system-bus.conf").write_text(EMPTY_BUS)
    system_bus, system_address = _session_bus(base, home / "system-bus.conf")
    base.update(DBUS_SESSION_BUS_ADDRESS=address, DBUS_SYSTEM_BUS_ADDRESS=system_address)
    socket = runtime / f"wayland-gnome-{os.getpid()}"  # its own: a crashed run's shell may hold another
    log = open(home / "shell.log", "w")  # noqa: SIM115 (open while the session runs)
    compositor = subprocess.Popen(
        ["gnome-shell", "--headless", "--wayland", "--no-x11", "--virtual-monitor", "1280x800"]
        + ["--wayland-display", socket.name],
        env=base,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    media_keys = None
    try:
        said = lambda: (home / "shell.log").read_text()[-1500:]  # noqa: E731
        wait_for(lambda: socket.exists() or compositor.poll() is not None, 30, "the shell's socket")
        assert socket.exists(), f"GNOME Shell did not start: {said()}"
        activation = [f"WAYLAND_DISPLAY={socket.name}", "GDK_BACKEND=wayland", f"XDG_DESKTOP_PORTAL_DIR={portals}"]
        subprocess.run(["dbus-update-activation-environment", *activation], env=base, check=True, timeout=10)
        client = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "XDG_CURRENT_DESKTOP": "GNOME"}
        client.update({"WAYLAND_DISPLAY": socket.name, "XDG_RUNTIME_DIR": str(runtime), "XDG_SESSION_TYPE": "wayland"})
        client["XDG_CONFIG_HOME"] = base["XDG_CONFIG_HOME"]  # the session's settings (dconf), as its apps read them
        for key in ("DISPLAY", "QT_QPA_PLATFORM", "SWAYSOCK"):
            client.pop(key, None)
        started = lambda: "GNOME Shell started" in (home / "shell.log").read_text()  # noqa: E731
        forks = StuckForks(compositor)
        try:
            wait_for(lambda: started() or compositor.poll() is not None or forks.end(), 60, "GNOME Shell started")
        except AssertionError as e:  # the log goes with the session's folder: say what it said
            raise AssertionError(f"{e} (stuck forks ended: {forks.ended}); the shell's log ends: {said()}") from None
        assert started() and _has_owner(address, "org.gnome.Mutter.RemoteDesktop"), said()
        # Software rendering here (no GPU): a blinking text cursor costs gnome-text-editor and
        # the shell most of a core for 10 s after each key, CPU taken from the app under test.
        no_blink = ["gsettings", "set", "org.gnome.desktop.interface", "cursor-blink", "false"]
        subprocess.run(no_blink, env=base, check=True, timeout=10)
        # No key repeat: with both cores taken (a CI run), a portal key's release came more than
        # the repeat delay (0.5 s) after its press now and then, and the editor repeated the key
        # (a space twice, one BackSpace too many). A product risk on a machine that loaded (see
        # DEVELOPERS.md); the tests check the words, not the machine's load.
        no_repeat = ["gsettings", "set", "org.gnome.desktop.peripherals.keyboard", "repeat", "false"]
        subprocess.run(no_repeat, env=base, check=True, timeout=10)
        media_keys = subprocess.Popen(
            [str(MEDIA_KEYS)],
            env={**base, "WAYLAND_DISPLAY": socket.name, "GDK_BACKEND": "wayland"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: _has_owner(address, "org.gnome.SettingsDaemon.MediaKeys"), 30, "gsd-media-keys")
        # The machine's keyboard: a headless seat has none until a virtual one has pressed a key
        # (wl-copy, as on any desktop, needs one: "This seat has no keyboard"); the key is
        # Escape, which also leaves the overview the shell starts in.
        keyboard = MutterKeys(client)
        keyboard.tap(0xFF1B)
        wait_for(lambda: not overview_active(address), 10, "the overview left")
        try:
            yield client
        finally:
            keyboard.close()
    finally:
        if media_keys is not None:
            _end_group(media_keys)
        _end_group(compositor)
        _end_group(system_bus)
        _end_group(bus)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


class BusCalls:
    """Method calls to ``interface``'s ``members`` watched on a session bus (a monitor, as
    ``dbus-monitor`` is): what the desktop's parts and the app ask of one another."""

    def __init__(self, env: dict, interface: str, *members: str) -> None:
        from jeepney import new_method_call
        from jeepney.bus_messages import MatchRule, Monitoring
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(bus=env["DBUS_SESSION_BUS_ADDRESS"])
        rules = [MatchRule(type="method_call", interface=interface, member=m).serialise() for m in members]
        reply = self.conn.send_and_get_reply(new_method_call(Monitoring(), "BecomeMonitor", "asu", (rules, 0)))
        assert reply.header.message_type.name == "method_return", reply.body

    def wait(self, *members: str, timeout: float = 60.0):
        """The next call of one of ``members``."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.conn.receive(timeout=left)
            except TimeoutError:
                break
            if message.header.fields.get(3) in members:  # 3: the member
                return message
        raise AssertionError(f"no call of {', '.join(members)} within {timeout:.0f} s")

    def close(self) -> None:
        self.conn.close()


def shortcut_grabbed(grabs: BusCalls) -> None:
    """Until gsd-media-keys asked GNOME Shell to grab keys (what it does a moment after a custom
    shortcut was made), so that a press of the new shortcut is not sent before the shell can
    take it; ``grabs`` watches org.gnome.Shell's GrabAccelerator(s)."""
    grabs.wait("GrabAccelerator", "GrabAccelerators")
    time.sleep(0.3)  # the shell's grab made (its reply is not watched)


def overview_active(bus: str) -> bool:
    from jeepney import DBusAddress, Properties
    from jeepney.io.blocking import open_dbus_connection

    shell = DBusAddress("/org/gnome/Shell", bus_name="org.gnome.Shell", interface="org.gnome.Shell")
    with open_dbus_connection(bus=bus) as conn:
        reply = conn.send_and_get_reply(Properties(shell).get("OverviewActive"), timeout=5)
    return bool(reply.body[0][1])


def gnome_screenshot(env: dict, path: Path) -> None:
    """The whole screen as GNOME Shell draws it, saved as PNG: the test asks as GNOME's own
    screenshot tool does (the shell serves its screenshot interface only to the bus names of
    its tools and portals; the test takes ``org.gnome.Screenshot`` for the call)."""
    from jeepney import DBusAddress, message_bus, new_method_call
    from jeepney.io.blocking import Proxy, open_dbus_connection

    name = "org.gnome.Shell.Screenshot"
    shell = DBusAddress("/org/gnome/Shell/Screenshot", bus_name=name, interface=name)
    with open_dbus_connection(bus=env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        Proxy(message_bus, conn).RequestName("org.gnome.Screenshot", 4)  # 4: do not queue
        call = new_method_call(shell, "Screenshot", "bbs", (False, False, str(path)))  # no cursor, no flash
        reply = conn.send_and_get_reply(call, timeout=20)
    assert reply.header.message_type.name == "method_return" and reply.body[0], reply.body


def _has_owner(bus: str, name: str) -> bool:
    from jeepney import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    with open_dbus_connection(bus=bus) as conn:
        return bool(Proxy(message_bus, conn).NameHasOwner(name)[0])


class MutterKeys:
    """Keys pressed into mutter through its own remote-desktop interface
    (org.gnome.Mutter.RemoteDesktop, no portal, no question): the test's hands on GNOME."""

    def __init__(self, env: dict) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        self._call = new_method_call
        self.conn = open_dbus_connection(bus=env["DBUS_SESSION_BUS_ADDRESS"])
        name = "org.gnome.Mutter.RemoteDesktop"
        manager = DBusAddress("/org/gnome/Mutter/RemoteDesktop", bus_name=name, interface=name)
        (path,) = self.conn.send_and_get_reply(new_method_call(manager, "CreateSession"), timeout=10).body
        self.session = DBusAddress(path, bus_name=name, interface=f"{name}.Session")
        self.conn.send_and_get_reply(new_method_call(self.session, "Start"), timeout=10)

    def tap(self, *keysyms: int) -> None:
        for keysym in keysyms:
            for down in (True, False):
                call = self._call(self.session, "NotifyKeyboardKeysym", "ub", (keysym, down))
                reply = self.conn.send_and_get_reply(call, timeout=10)
                assert reply.header.message_type.name == "method_return", reply.body
            time.sleep(0.3)

    def chord(self, *keysyms: int) -> None:
        for down in (True, False):
            for keysym in keysyms if down else reversed(keysyms):
                self.conn.send_and_get_reply(
                    self._call(self.session, "NotifyKeyboardKeysym", "ub", (keysym, down)), timeout=10
                )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send_and_get_reply(self._call(self.session, "Stop"), timeout=5)
        self.conn.close()
