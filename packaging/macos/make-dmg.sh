#!/usr/bin/env bash
# macOS: build Dictation.app (PyInstaller BUNDLE with NSMicrophoneUsageDescription in its
# Info.plist, see packaging/dictation-app.spec) and pack it into a compressed .dmg.
#   packaging/macos/make-dmg.sh VERSION
set -euo pipefail
VERSION=${1:?version}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
# The .icns comes from the SVG: render 1024 px with Qt, let iconutil make the sizes.
ICONSET=build/dictation-app.iconset
rm -rf "$ICONSET" && mkdir -p "$ICONSET"
python packaging/render_icons.py resources/dictation-app.svg build/icons
for s in 16 32 128 256 512; do
  cp "build/icons/${s}x${s}/apps/dictation-app.png" "$ICONSET/icon_${s}x${s}.png"
done
iconutil -c icns "$ICONSET" -o packaging/macos/dictation-app.icns
python -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/dictation-app.spec
/usr/libexec/PlistBuddy -c "Print :NSMicrophoneUsageDescription" dist/Dictation.app/Contents/Info.plist
STAGE=build/dmg && rm -rf "$STAGE" && mkdir -p "$STAGE"
cp -R dist/Dictation.app "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Dictation $VERSION" -srcfolder "$STAGE" -ov -format UDZO "dist/Dictation-$VERSION.dmg"
echo "dist/Dictation-$VERSION.dmg"
