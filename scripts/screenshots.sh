#!/usr/bin/env bash
# Screenshots of the main states of the real window (Xvfb, xcb, the virtual microphone) into
# docs/screenshots/ (scripts/screenshots.sh scripts/screenshots-voice.py: dictation steered by
# voice, Preferences > Voice). Needs what `make test` installs (Xvfb, PulseAudio, imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export XDG_RUNTIME_DIR=$(scripts/virtual-mic.sh)
export DISPLAY=${SCREENSHOT_DISPLAY:-:97}
Xvfb "$DISPLAY" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb' EXIT
sleep 1
work=$(mktemp -d)
export HOME=$work DICTATION_APP_DATA_DIR=$work/data   # a fresh user: no settings, no autosaves
mkdir -p docs/screenshots
"$VENV/bin/python" "${1:-scripts/screenshots.py}" "$work"   # or scripts/screenshots-voice.py
