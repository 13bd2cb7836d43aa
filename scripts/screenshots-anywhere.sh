#!/usr/bin/env bash
# Screenshots of dictation anywhere into docs/screenshots/: the overlay over xterm while a
# passage is dictated into it through the virtual microphone (anywhere.png), the tray menu
# (tray.png, with tint2 as the tray) and `doctor`'s report in a terminal (doctor.png).
# Needs what `make test` installs, plus tint2 (apt install tint2).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
VENV=${VENV:-.venv}
app="$root/$VENV/bin/dictation-app"
export XDG_RUNTIME_DIR=$(scripts/virtual-mic.sh)
export DISPLAY=${SCREENSHOT_DISPLAY:-:96}
work=$(mktemp -d)
export HOME=$work XDG_CONFIG_HOME=$work/config DICTATION_APP_DATA_DIR=$work/data DICTATION_APP_SOCKET=$work/ctl/sock
mkdir -p "$XDG_CONFIG_HOME/dictation-app" docs/screenshots
printf '[anywhere]\nafter=newline\n' > "$XDG_CONFIG_HOME/dictation-app/dictation-app.conf"
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids=($!)
trap 'kill ${pids[*]} 2>/dev/null; "$app" quit >/dev/null 2>&1 || true' EXIT
sleep 1
openbox >/dev/null 2>&1 & pids+=($!)
tint2 >/dev/null 2>&1 & pids+=($!)
sleep 1
"$app" gui --background >/dev/null 2>&1 &
until "$app" status --json 2>/dev/null | grep -q '"state": "idle"'; do sleep 0.5; done

# The overlay while dictating into xterm.
xterm -T "notes - xterm" -fa Monospace -fs 12 -geometry 90x16+140+120 -e "cat > $work/notes.txt" & pids+=($!)
sleep 1
xdotool windowactivate --sync "$(xdotool search --name '^notes - xterm$' | tail -1)"
"$app" start >/dev/null
paplay tests/data/longform-163-122947.flac & player=$!
sleep 14
import -window root docs/screenshots/anywhere.png
kill $player 2>/dev/null || true
"$app" stop >/dev/null
sleep 2

# The tray menu: right-click the microphone icon in tint2's tray (bottom right).
xdotool mousemove 1105 784 click 3
sleep 1
import -window root "$work/tray.png"
convert "$work/tray.png" -crop 460x260+820+540 docs/screenshots/tray.png
xdotool key Escape

# doctor's report in a terminal.
xterm -T "dictation-app doctor" -fa Monospace -fs 11 -geometry 150x14+20+20 \
  -e bash -c "'$app' doctor; sleep 30" & pids+=($!)
sleep 8
import -window root "$work/doctor.png"
convert "$work/doctor.png" -crop 1240x260+20+0 docs/screenshots/doctor.png
echo "wrote docs/screenshots/anywhere.png tray.png doctor.png"
