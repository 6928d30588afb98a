"""python -m explainer.common.settings [--write README.md]: print the settings reference, or write it into a file."""

import sys

from .reference import reference, write_reference

if sys.argv[1:2] == ["--write"]:
    print("updated" if write_reference(sys.argv[2]) else "up to date")
else:
    print(reference())
