"""The lower layers stay Qt-free (GUIDE.md); import-linter checks the import graph too."""

import subprocess
import sys


def test_lower_layers_import_without_qt():
    code = (
        "import sys\n"
        "import dictation_app.audio, dictation_app.engine, dictation_app.transcript, dictation_app.export\n"
        "import dictation_app.cli, dictation_app.evaluation\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'dictation_app.ui'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
