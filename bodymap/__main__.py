"""``python -m bodymap``, and the entry script of the PyInstaller bundle."""

import sys

from bodymap.cli import main

if __name__ == "__main__":
    sys.exit(main())
