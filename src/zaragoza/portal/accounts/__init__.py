"""Users, their roles and scopes, and the one permission function every app asks.

``roles``        the roles of the exchange half and the scope each one needs
``models``       :class:`Grant` (a role, with its country, entity, organisation or network)
                 and :class:`PublicProfile` (opt-in, minimal)
``permissions``  :func:`can` / :func:`require`: may user U do action A on object O?
``users``        creating users and grants (for the CLI and the tests)
"""
