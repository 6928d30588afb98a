#!/usr/bin/env python3
"""Build the explainer in this folder (or --root DIR). See README.md."""

import sys

if __name__ == "__main__":
    try:
        from explainer.cli import main

        sys.exit(main())
    except KeyboardInterrupt:  # stopped before the command began: nothing was written
        print("Interrupted; site/ was left as it was.", file=sys.stderr)
        sys.exit(130)
