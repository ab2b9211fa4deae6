"""The portal's toolbox app: browse the European modules and measures, rank them for an
authority's context, keep a plan, check oneself against a module; and its API.

Views are thin: the rules are :mod:`zaragoza.toolbox`'s, permissions
:mod:`zaragoza.portal.accounts.permissions`'."""
