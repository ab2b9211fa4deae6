"""Comparisons of observations: the benchmarking layer.

``validation`` (computed against published), ``targets`` (distance to the EU targets),
``gaps`` (migrant-native, women-men, gap of gaps), ``ranks`` (rank intervals),
``trends`` (change, trend, beta- and sigma-convergence), ``framework``, ``composite``
and ``uncertainty`` (composite indices), ``policy`` (policy indices such as MIPEX),
``cli`` (``zaragoza compare``). See ``docs/benchmarking.md``.
"""
