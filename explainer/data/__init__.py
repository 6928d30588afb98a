"""Stage 1, data: charts/data/datapackage.json and its CSVs, read and validated (load.py)."""
