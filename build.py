#!/usr/bin/env python3
"""Build the explainer in this folder (or --root DIR). See README.md."""
import sys

from explainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
