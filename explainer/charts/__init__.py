"""Stage 3, charts: each charts/<slug>.py run on the data, compiled to Vega, drawn as SVG/PNG
(render.py), in a pool of worker processes that keeps the time limit (pool.py), cached by a hash
of their inputs (cache.py), with the font they are measured with (fonts.py) and the Vega runtime
the site ships (vega_bundle.py)."""
