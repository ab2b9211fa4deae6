"""EU-SILC estimation: income quantiles, poverty, inequality and ratios by domain.

``kernels`` holds the grouped statistics and their influence functions, ``linearised``
the design variance of linearised totals and the rescaled bootstrap, ``columns`` the
record columns the indicators read, ``engine`` the loop over level sets and indicators.
"""
