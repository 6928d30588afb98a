"""`python -m explainer`: the command line."""

from .cli import main

raise SystemExit(main())
