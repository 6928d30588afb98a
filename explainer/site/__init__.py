"""Stage 5, site: the MkDocs configuration and `mkdocs build` run as a command (mkdocs.py), the
theme overrides (theme/), the generator's CSS and chart JavaScript (assets/) and the MkDocs hooks
that sanitise content and set the Content-Security-Policy (hooks/)."""
