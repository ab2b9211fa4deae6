"""The knowledge base in the portal: practices, organisations, country governance profiles.

``models``      the records, their revisions, transitions, reviews and documents
``services``    every change goes through here: edits (with a revision), workflow steps
                (permission, rules, history, notification), seed and import
``searching``   full text on SQLite FTS5 or PostgreSQL, facets from the library's index
``views``/``forms``/``api``  thin shells over the above
"""
