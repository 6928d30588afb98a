"""Stage 1, data: charts/data/datapackage.json and its CSVs, read and validated. load.py is the entry
(load() and the names other stages use); files.py, fast_validate.py (with arrow_columns.py) and
sources.py check; errors.py words the problems and positions.py places them; package.py holds the tables."""
