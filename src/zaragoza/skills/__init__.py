"""The skills profile: classifications, the profile record, next-step rules, aggregation.

A plain-Python package (no Django) after the EU Skills Profile Tool for Third Country
Nationals (European Commission, 2017): a profile of a newcomer's education (ISCED 2011,
ISCED-F 2013), work experience (ESCO occupations with their ISCO-08 groups), languages
(CEFR self-assessment per skill) and digital skills (DigComp), filled in an interview
between a counsellor and the person; next steps suggested by rules kept as data; and
profiles aggregated into disclosure-controlled observations (``source = profiles``),
never individual data. See ``docs/skills.md``.
"""
