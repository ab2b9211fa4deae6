"""The observation store: one DuckDB file with observations and their provenance."""
