"""Screenshot one widget of the real window: the Xvfb root (``import``), cropped to the widget's
frame (``convert``), into ``out/NAME.png``. Shared by the screenshot scripts."""

import subprocess
from pathlib import Path


def shot(name: str, widget, work: Path, out: Path) -> None:
    g = widget.frameGeometry()
    raw = work / f"{name}-root.png"
    subprocess.run(["import", "-window", "root", str(raw)], check=True)
    subprocess.run(
        [
            "convert",
            str(raw),
            "-crop",
            f"{g.width()}x{g.height()}+{g.x()}+{g.y()}",
            "+repage",
            str(out / f"{name}.png"),
        ],
        check=True,
    )
    print("screenshot", out / f"{name}.png", flush=True)
