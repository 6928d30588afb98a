"""The commands besides build and check (which are the pipeline itself): serve, diff, publish.
Each module is one command; `explainer/cli.py` parses the command line and calls them."""
