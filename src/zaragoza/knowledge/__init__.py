"""The knowledge base of integration practice, as plain types and rules.

Shared by the portal (``zaragoza.portal.knowledge``), the API and the CLI; no Django here.

``taxonomy``   the codes (levels, themes, target groups, funds, evidence levels, ...) with
               their English, French and German labels, read from ``content/taxonomy.yaml``
``schema``     pydantic records of a practice, an organisation and a country governance
               profile, validated strictly against the taxonomy and the indicator catalogue
``content``    loading and validating the bundled seed content (every problem reported,
               naming the file and the field)
``markdown``   rendering the records' Markdown into sanitised HTML (no script, no handler)
``rules``      the workflow's states and transitions, the eligibility check before
               submission and the review rubric
``exchange``   import and export of practices as JSON Lines and CSV
``search``     the search query model (text, facets, sort, page) and the facet index
``synthetic``  synthetic practices for the benchmark only (labelled as such)
"""
