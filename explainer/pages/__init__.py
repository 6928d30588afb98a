"""Stage 4, pages: content/*.md read (content.py) and rendered (render.py) in a sandbox (sandbox.py)
with figures and charts (figure_block.py), composed into Markdown (compose.py), checked for raw HTML
and links (prose_checks.py), typed-in numbers (drift.py) and spelling (spelling.py); the generated
sources and figures pages (generated.py); the figure HTML template (templates/)."""
