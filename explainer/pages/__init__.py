"""Stage 4, pages: content/*.md rendered (render.py) in a sandbox with figures and charts, checked
for typed-in numbers (drift.py) and spelling (spelling.py); the generated sources and figures
pages (generated.py); the figure HTML template (templates/)."""
