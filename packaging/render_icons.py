"""Render the SVG icon to the PNG sizes of the hicolor theme (Qt's SVG renderer, offscreen).

    python packaging/render_icons.py resources/dictation-app.svg OUT_DIR
writes OUT_DIR/<N>x<N>/apps/dictation-app.png for each size.
"""

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    svg, out = Path(sys.argv[1]), Path(sys.argv[2])
    app = QGuiApplication([])  # noqa: F841  (the renderer needs an application)
    renderer = QSvgRenderer(str(svg))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = out / f"{size}x{size}" / "apps" / f"{svg.stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            sys.exit(f"cannot write {target}")


if __name__ == "__main__":
    main()
