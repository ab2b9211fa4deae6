"""Comparisons of observations: computed against published, gaps, targets, ranks."""
