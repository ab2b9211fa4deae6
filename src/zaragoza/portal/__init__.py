"""The monitoring portal: a Django site and open-data API over the warehouse.

``zaragoza serve`` runs it under gunicorn (:mod:`zaragoza.portal.server`); the app
``monitoring`` holds the pages and the API. The portal only reads published cells from
the warehouse: no microdata is ever served, and cells flagged ``c`` stay suppressed.
"""
