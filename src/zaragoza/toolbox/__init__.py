"""The European toolbox: modules, components and measure cards, chosen by context and by
the gaps an authority actually has. Plain Python, shared by the portal and the CLI.

``schema``     pydantic records of modules, components, measures, settings (weights,
               context vocabulary, scoring constants), validated strictly
``loader``     loading the bundled toolbox, a folder of the same layout or one file;
               every problem named with its file, measure and field
``context``    an authority's context (level, geo, size, migrant groups, resources,
               partners, competences): from a file, a form or URL query parameters
``gaps``       the authority's gaps to nationals from the warehouse, with SEs and flags
``selection``  exclusion by hard preconditions, the explainable score, reasons and the
               sensitivity of the ranking to the weights
``service``    one call from a context and a warehouse to a selection
``plan``       a plan of kept measures with notes; the selection and the plan as CSV/PDF
``selfcheck``  a module's components as a checklist, scored on the framework engine of
               :mod:`zaragoza.compare.framework`
"""
