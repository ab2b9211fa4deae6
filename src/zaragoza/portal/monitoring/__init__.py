"""The ``monitoring`` app: indicator pages, country profiles, comparisons and the data API."""
