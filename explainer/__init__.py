"""A static explainer site generator: Markdown prose + data package + Altair charts -> Material for MkDocs site."""
