"""Entry point of the frozen app (PyInstaller runs this script)."""

import sys

from dictation_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
