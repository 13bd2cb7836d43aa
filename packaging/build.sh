#!/usr/bin/env bash
# Build the frozen app and its packages.
#   packaging/build.sh bundle    one-folder PyInstaller bundle in build/dist/dictation-app/
#   packaging/build.sh deb       + build/dictation-app_<version>-1_<arch>.deb
#   packaging/build.sh tarball   + build/dictation-app-<version>-linux-<arch>.tar.gz
# Uses the project's .venv (VENV overrides); `make deb` / `make tarball` set it up first.
# DEB_COMPRESSION=type:level (default xz:6, the smallest download; the installer test builds
# with gzip:1, which takes seconds instead of minutes for the same files).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
BUILD=$ROOT/build
NAME=dictation-app
cd "$ROOT"
VERSION=$("$PY" -c "from dictation_app import __version__; print(__version__)")
ARCH=$(dpkg --print-architecture 2>/dev/null || uname -m)

bundle() {
  local start=$SECONDS
  "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$BUILD/dist" --workpath "$BUILD/pyinstaller" packaging/dictation-app.spec
  echo "bundle: $BUILD/dist/$NAME ($(du -sh "$BUILD/dist/$NAME" | cut -f1), $((SECONDS - start)) s)"
}

desktop_files() {  # $1: a usr/share-like folder
  local share=$1
  install -Dm644 resources/$NAME.desktop "$share/applications/$NAME.desktop"
  install -Dm644 resources/$NAME.svg "$share/icons/hicolor/scalable/apps/$NAME.svg"
  "$PY" packaging/render_icons.py resources/$NAME.svg "$share/icons/hicolor"
  install -Dm644 resources/io.github.dictation_app.DictationApp.metainfo.xml \
    "$share/metainfo/io.github.dictation_app.DictationApp.metainfo.xml"
}

deb() {
  local start=$SECONDS stage="$BUILD/deb/$NAME" out="$BUILD/${NAME}_${VERSION}-1_${ARCH}.deb"
  rm -rf "$BUILD/deb"
  mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin"
  cp -a "$BUILD/dist/$NAME" "$stage/opt/$NAME"
  chmod -R u+rwX,go+rX,go-w "$stage/opt/$NAME"
  find "$stage/opt/$NAME" -type f -name '*.so*' -exec chmod 644 {} +  # libraries need no exec bit
  ln -s "/opt/$NAME/$NAME" "$stage/usr/bin/$NAME"
  desktop_files "$stage/usr/share"
  install -Dm644 packaging/debian/copyright "$stage/usr/share/doc/$NAME/copyright"
  sed "s/@VERSION@/$VERSION/g" packaging/debian/changelog | gzip -9n > "$stage/usr/share/doc/$NAME/changelog.Debian.gz"
  chmod 644 "$stage/usr/share/doc/$NAME/changelog.Debian.gz"
  install -Dm644 packaging/debian/lintian-overrides "$stage/usr/share/lintian/overrides/$NAME"
  local depends
  depends=$("$PY" packaging/deb_depends.py "$stage/opt/$NAME")
  sed -e "s/@VERSION@/$VERSION-1/" -e "s/@ARCH@/$ARCH/" -e "s/@DEPENDS@/$depends/" \
      -e "s/@SIZE@/$(du -sk --exclude=DEBIAN "$stage" | cut -f1)/" packaging/debian/control > "$stage/DEBIAN/control"
  local compression=${DEB_COMPRESSION:-xz:6}
  dpkg-deb --root-owner-group -Z"${compression%%:*}" -z"${compression##*:}" --build "$stage" "$out" >/dev/null
  echo "deb: $out ($(du -h "$out" | cut -f1), installed $(du -sh --exclude=DEBIAN "$stage" | cut -f1), $((SECONDS - start)) s)"
}

tarball() {
  local dir="$BUILD/tar/$NAME-$VERSION" out="$BUILD/$NAME-$VERSION-linux-$ARCH.tar.gz"
  rm -rf "$BUILD/tar"
  mkdir -p "$dir"
  cp -a "$BUILD/dist/$NAME/." "$dir/"
  desktop_files "$dir/share"
  install -m755 packaging/install-user.sh "$dir/install-user.sh"
  tar -C "$BUILD/tar" -czf "$out" "$NAME-$VERSION"
  echo "tarball: $out ($(du -h "$out" | cut -f1))"
}

case "${1:-}" in
  bundle) bundle ;;
  deb) [ -x "$BUILD/dist/$NAME/$NAME" ] || bundle; deb ;;
  tarball) [ -x "$BUILD/dist/$NAME/$NAME" ] || bundle; tarball ;;
  *) echo "usage: $0 bundle|deb|tarball" >&2; exit 2 ;;
esac
