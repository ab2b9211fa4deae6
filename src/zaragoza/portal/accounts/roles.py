"""The roles of the exchange half and the scope each one is granted for.

The table (``docs/knowledge.md``, after the project's domain model)::

    role              scope            may
    contributor       own drafts       submit and edit own practices
    coordinator       countries        review, return, publish practices of those
                                       countries; edit their country profiles
    editor            all              what a coordinator may, everywhere; taxonomy
    city_coordinator  one entity       run its assessments, publish its results
    respondent        one entity       answer the questions assigned to them
    peer_reviewer     a review team    read the answers of the entity under review,
                                       write findings and recommendations
    network_admin     a network        create rounds, invite entities, publish reports
    counsellor        an organisation  create and read that organisation's skills profiles
    admin             all              manage users and roles (and everything above)

The public (no account) reads what is published. The knowledge base uses the first
three and ``admin``; local benchmarks (``docs/benchmarks.md``) the city coordinator,
respondent, peer reviewer and network administrator; the counsellor is defined here so
that skills profiles grant and check it the same way.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SCOPE_OF", "Role"]


class Role(StrEnum):
    """A role a user is granted."""

    CONTRIBUTOR = "contributor"
    COORDINATOR = "coordinator"
    EDITOR = "editor"
    CITY_COORDINATOR = "city_coordinator"
    RESPONDENT = "respondent"
    PEER_REVIEWER = "peer_reviewer"
    NETWORK_ADMIN = "network_admin"
    COUNSELLOR = "counsellor"
    ADMIN = "admin"


#: The scope field each role needs (``None``: granted without a scope).
SCOPE_OF: dict[Role, str | None] = {
    Role.CONTRIBUTOR: None,
    Role.COORDINATOR: "country",
    Role.EDITOR: None,
    Role.CITY_COORDINATOR: "entity",
    Role.RESPONDENT: "entity",
    Role.PEER_REVIEWER: "review",
    Role.NETWORK_ADMIN: "network",
    Role.COUNSELLOR: "organisation",
    Role.ADMIN: None,
}
