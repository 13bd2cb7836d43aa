#!/bin/sh
# Install this portable folder for the current user: a launcher in ~/.local/bin and a menu
# entry with icons in ~/.local/share. Run it from the unpacked folder; remove with --remove.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${XDG_BIN_HOME:-$HOME/.local/bin}
SHARE=${XDG_DATA_HOME:-$HOME/.local/share}
if [ "${1:-}" = "--remove" ]; then
  rm -f "$BIN/dictation-app" "$SHARE/applications/dictation-app.desktop"
  find "$SHARE/icons/hicolor" -name 'dictation-app.*' -delete 2>/dev/null || true
  echo "removed the launcher and menu entry; delete $HERE to finish"
  exit 0
fi
mkdir -p "$BIN" "$SHARE/applications"
ln -sf "$HERE/dictation-app" "$BIN/dictation-app"
cp -r "$HERE/share/icons" "$SHARE/"
sed "s|^Exec=dictation-app|Exec=$HERE/dictation-app|" "$HERE/share/applications/dictation-app.desktop" \
  > "$SHARE/applications/dictation-app.desktop"
echo "installed: $BIN/dictation-app and a menu entry (make sure $BIN is on your PATH)"
