#!/usr/bin/env python
"""Django's command-line utility for Levenlang."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

if __name__ == "__main__":
    from levenlang.cli import main

    main()
