#!/usr/bin/env bash
# Dictation steered by voice in the real window, and Preferences > Voice, into docs/screenshots/.
# Needs what `make test` installs (Xvfb, PulseAudio, imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export XDG_RUNTIME_DIR=$(scripts/virtual-mic.sh)
export DISPLAY=${SCREENSHOT_DISPLAY:-:98}
Xvfb "$DISPLAY" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb' EXIT
sleep 1
work=$(mktemp -d)
export HOME=$work DICTATION_APP_DATA_DIR=$work/data   # a fresh user: no settings, no autosaves
mkdir -p docs/screenshots
"$VENV/bin/python" scripts/screenshots-voice.py "$work"
