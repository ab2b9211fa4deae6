"""Local integration policy benchmarks and peer review (``docs/benchmarks.md``): rounds of
a framework of :mod:`zaragoza.frameworks`, self-assessments with evidence, peer review,
city and comparative reports, policy scores beside measured outcomes, the charter
registry."""
