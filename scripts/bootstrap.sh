#!/usr/bin/env bash
# Install what the app (or its tests) needs: Debian packages when we can, a virtual
# environment, and the Python dependencies. Safe to run again; it skips what is there.
#   scripts/bootstrap.sh run    # the app
#   scripts/bootstrap.sh test   # the app, the optional base model and the test tools
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-run}
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

# Debian packages: PortAudio for the microphone, the libraries Qt loads, and for the tests
# PulseAudio (virtual microphone), Xvfb and the xcb libraries for real windows, and lintian
# and binutils for the installer test; for dictation into other applications, X11 and Wayland
# desktops with targets nobody here wrote (openbox, xterm, l3afpad; sway, foot; KDE Plasma's
# KWin with its portals, KWrite; GNOME Shell and its media-keys daemon with the GNOME portals,
# gnome-text-editor and the accessibility bus the tests answer GNOME's question through) and the
# tools, and dunst (a notification server).
run_pkgs=(python3-venv libportaudio2 libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libglib2.0-0)
test_pkgs=(pulseaudio pulseaudio-utils libasound2-plugins xvfb xauth imagemagick
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0
  libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-cursor0 libxcb-xfixes0
  libwayland-cursor0 libwayland-egl1 lintian binutils
  xterm openbox xdotool l3afpad sway foot wtype wl-clipboard strace dbus-daemon procps espeak-ng
  kwin-wayland xdg-desktop-portal xdg-desktop-portal-kde qtwayland5 kwrite libglib2.0-bin dbus-bin
  gnome-shell gnome-settings-daemon xdg-desktop-portal-gnome xdg-desktop-portal-gtk gnome-text-editor at-spi2-core
  dunst)
pkgs=("${run_pkgs[@]}")
[ "$purpose" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" = none ]; then
    echo "bootstrap: these Debian packages are missing and I cannot install them without root:" >&2
    echo "    sudo apt-get install -y ${missing[*]}" >&2
    echo "bootstrap: continuing; file transcription works without them, the microphone does not." >&2
  else
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV"; then
    echo "bootstrap: cannot create a virtual environment; install venv support: sudo apt-get install -y python3-venv" >&2
    exit 1
  fi
fi

extras="gui"
[ "$purpose" = test ] && extras="gui,base,test,package"
stamp="$VENV/.installed-$purpose-$(cat pyproject.toml | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[$extras]"
  touch "$stamp"
fi
