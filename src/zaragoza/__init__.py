"""Zaragoza: the common European migrant-integration indicators from survey microdata.

Implements the monitoring part of the European Agenda for the Integration of Third-Country
Nationals (COM(2011) 455): indicators by migrant group with design-based standard errors.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
