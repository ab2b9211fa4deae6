"""The one answer to "may user U do action A on object O?".

Every view, API call and CLI command of the portal calls :func:`can` (or :func:`require`,
which raises ``PermissionDenied``); nothing else decides. An object says what it is and
whom it concerns through ``access_scope()`` (:class:`Scope`): its kind, countries,
owner, state or geo. Unknown kinds and actions are refused (deny by default).

Rules of the knowledge base (``docs/knowledge.md``):

* ``view`` a practice: anyone when published; otherwise its owner and its reviewers.
* ``create`` a practice: contributors, coordinators, editors, admins.
* ``edit``/``upload``: the owner while it is a draft or returned; its reviewers while it
  is submitted, in review or published.
* ``submit``: the owner, while it is a draft or returned.
* ``start_review``, ``return``, ``publish``, ``reject``, ``unpublish``: its reviewers,
  never on a practice they own (an editor or admin excepted).
* ``history``: the owner and the reviewers.
* A practice's *reviewers* are the coordinators of any of its countries, the editors
  and the admins.
* ``edit_profile`` (country governance profile): the coordinators of that country,
  editors, admins. ``edit_organisation``: editors, admins. ``manage_users``: admins.

Rules of the toolbox (``docs/toolbox.md``):

* ``view`` the toolbox (modules, measures, selections): anyone.
* ``view``/``edit`` a plan kept for a signed-in user: that user only (plans are an
  authority's working notes: no role reads another's). A plan kept in an anonymous
  session (``state="session"``) is reachable only through that session's cookie, so
  the holder of the session may view and edit it.

Rules of the skills profiles (``docs/skills.md``): personal data, need to know only.

* ``create`` a profile (``Scope("skills_profile", organisation=o)``), ``view``,
  ``edit``, ``export``, ``erase`` and ``consent`` on one: the counsellors of its
  organisation. No other role, editors and admins included, reads a profile: managing
  users is not a reason to read a person's file.
* The person the profile is about, when they have an account linked to it (the
  profile's owner): ``view``, ``export``, ``erase`` and ``consent``, never ``edit``
  (the counsellor's appraisal is the counsellor's).
* An erased profile (``state="erased"``) holds nothing to read: every action refused.

Rules of the local benchmarks (``docs/benchmarks.md``). Their scopes carry the entity
(``entity``), the network (``network``), the round's entities (``entities``), the review
teams that cover the object (``reviews``), the users a question is assigned to
(``assignees``) and the state. A *city coordinator* and a *respondent* are granted per
entity, a *network administrator* per network, a *peer reviewer* per review team; an
admin may do everything below.

* ``frameworks``, ``bench_entity``, ``bench_network``, ``bench_commitments``: ``view``
  by anyone. ``bench_network``: ``create`` (a round) and ``invite`` (an entity) by its
  network administrators. ``bench_commitments``: ``edit`` (sign the charter, add
  commitments and yearly progress reports) by the entity's coordinators.
* ``bench_round``: ``view`` by anyone once published; before, by its network's
  administrators and by the coordinators, respondents and reviewers of its entities.
  ``edit``, ``invite``, ``publish`` (the comparative report): its network's
  administrators.
* ``bench_assessment`` (a city's answers, evidence and scores): ``view`` (and its
  report) by anyone once published; before, only by the entity's coordinators and the
  reviewers of its review team (answers are private to the city and its reviewers:
  neither the network administrator nor a respondent reads them). ``assign``,
  ``submit``: the coordinators while a draft; ``start_review``: the reviewers once
  submitted; ``publish`` (own results): the coordinators once submitted or in review.
  ``create`` (a review team): the network's administrators.
* ``bench_question`` (one question of an assessment): ``view`` by the coordinators, the
  reviewers and the respondents it is assigned to (and anyone once published);
  ``answer`` and ``upload`` (evidence) by the coordinators and its assignees while the
  assessment is a draft.
* ``bench_review`` (the review team's work): ``view`` findings and recommendations as
  the assessment; ``edit`` (visit plan, interview notes) and ``write_review`` (findings,
  recommendations) by the team's reviewers while the assessment is submitted or in
  review; ``history`` (the interview notes, never public) by the team and the
  coordinators.
* ``bench_survey`` (the anonymous resident questionnaire): ``create`` by the
  coordinators; ``view`` of its tallies as the assessment. Residents answer through the
  survey's token link, without an account, and nothing personal is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied

from zaragoza.portal.accounts.roles import Role

__all__ = ["Action", "Scope", "Scoped", "can", "grants", "require"]


class Action(StrEnum):
    """What a user asks to do."""

    VIEW = "view"
    CREATE = "create"
    EDIT = "edit"
    UPLOAD = "upload"
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    RETURN = "return"
    PUBLISH = "publish"
    REJECT = "reject"
    UNPUBLISH = "unpublish"
    HISTORY = "history"
    EDIT_PROFILE = "edit_profile"
    EDIT_ORGANISATION = "edit_organisation"
    MANAGE_USERS = "manage_users"
    EXPORT = "export"
    ERASE = "erase"
    CONSENT = "consent"
    ASSIGN = "assign"
    ANSWER = "answer"
    INVITE = "invite"
    WRITE_REVIEW = "write_review"


@dataclass(frozen=True)
class Scope:
    """Whom an object concerns: its kind and whatever the rules of that kind read."""

    kind: str
    countries: frozenset[str] = field(default_factory=frozenset)
    owner_id: int | None = None
    state: str | None = None
    geo: str | None = None
    organisation: str | None = None
    entity: str | None = None
    network: str | None = None
    entities: frozenset[str] = field(default_factory=frozenset)
    reviews: frozenset[str] = field(default_factory=frozenset)
    assignees: frozenset[int] = field(default_factory=frozenset)


class Scoped(Protocol):
    def access_scope(self) -> Scope: ...


#: The kind to use for an action on no object (``create``, ``manage_users``).
PRACTICES = Scope("practice")
USERS = Scope("users")

_REVIEW = frozenset(
    {Action.START_REVIEW, Action.RETURN, Action.PUBLISH, Action.REJECT, Action.UNPUBLISH}
)
_OWNER_STATES = frozenset({"draft", "returned"})
_REVIEW_STATES = frozenset({"submitted", "in_review", "published"})


@dataclass(frozen=True)
class Grants:
    """A user's roles: the global ones, the countries of their coordinator grants, the
    organisations of their counsellor grants, and the (role, entity) pairs, networks and
    review teams of their benchmark grants."""

    user_id: int | None
    roles: frozenset[str]
    countries: frozenset[str]
    organisations: frozenset[str] = frozenset()
    entity_roles: frozenset[tuple[str, str]] = frozenset()
    networks: frozenset[str] = frozenset()
    reviews: frozenset[str] = frozenset()

    def has(self, role: Role, entity: str | None) -> bool:
        """Whether the user holds ``role`` for ``entity``."""
        return entity is not None and (role.value, entity) in self.entity_roles

    @property
    def admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def everywhere(self) -> bool:
        """Whether the user reviews everywhere (editor or admin)."""
        return self.admin or Role.EDITOR in self.roles


_NOBODY = Grants(None, frozenset(), frozenset(), frozenset())


def grants(user: Any) -> Grants:
    """Return the user's grants (read once per request and kept on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return _NOBODY
    kept = getattr(user, "_zaragoza_grants", None)
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    rows = list(
        user.grants.values_list("role", "country", "organisation", "entity", "network", "review")
    )
    roles = {r for r, *_ in rows}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    found = Grants(
        user.pk,
        frozenset(roles),
        frozenset(c for r, c, *_ in rows if r == Role.COORDINATOR and c),
        organisations=frozenset(o for r, _c, o, *_ in rows if r == Role.COUNSELLOR and o),
        entity_roles=frozenset(
            (r, e)
            for r, _c, _o, e, _n, _v in rows
            if e and r in (Role.CITY_COORDINATOR, Role.RESPONDENT)
        ),
        networks=frozenset(n for r, _c, _o, _e, n, _v in rows if n and r == Role.NETWORK_ADMIN),
        reviews=frozenset(v for r, _c, _o, _e, _n, v in rows if v and r == Role.PEER_REVIEWER),
    )
    user._zaragoza_grants = found
    return found


def _reviewer(g: Grants, countries: Iterable[str]) -> bool:
    return g.everywhere or bool(g.countries & set(countries))


def _practice(g: Grants, action: Action, s: Scope) -> bool:
    own = g.user_id is not None and s.owner_id == g.user_id
    reviewer = _reviewer(g, s.countries)
    if action is Action.VIEW:
        return s.state == "published" or own or reviewer
    if action is Action.CREATE:
        return bool(g.roles & {Role.CONTRIBUTOR, Role.COORDINATOR, Role.EDITOR, Role.ADMIN})
    if action in (Action.EDIT, Action.UPLOAD):
        return (own and s.state in _OWNER_STATES) or (reviewer and s.state in _REVIEW_STATES)
    if action is Action.SUBMIT:
        return own and s.state in _OWNER_STATES
    if action in _REVIEW:
        return reviewer and (not own or g.everywhere)
    if action is Action.HISTORY:
        return own or reviewer
    return False


_PROFILE_COUNSELLOR = frozenset(
    {Action.CREATE, Action.VIEW, Action.EDIT, Action.EXPORT, Action.ERASE, Action.CONSENT}
)
_PROFILE_PERSON = frozenset({Action.VIEW, Action.EXPORT, Action.ERASE, Action.CONSENT})


def _skills_profile(g: Grants, action: Action, s: Scope) -> bool:
    if s.state == "erased":
        return False
    counsellor = s.organisation is not None and s.organisation in g.organisations
    if counsellor and action in _PROFILE_COUNSELLOR:
        return True
    own = g.user_id is not None and s.owner_id == g.user_id and action is not Action.CREATE
    return own and action in _PROFILE_PERSON


_PUBLIC_KINDS = frozenset({"frameworks", "bench_entity", "bench_network", "bench_commitments"})
_UNDER_REVIEW = frozenset({"submitted", "in_review"})


def _benchmark(g: Grants, action: Action, s: Scope) -> bool:
    """The local benchmarks' rules; an admin holds every role everywhere."""
    coordinator = g.admin or g.has(Role.CITY_COORDINATOR, s.entity)
    reviewer = g.admin or bool(g.reviews & s.reviews)
    network_admin = g.admin or (s.network is not None and s.network in g.networks)
    published = s.state == "published"
    if s.kind in _PUBLIC_KINDS and action is Action.VIEW:
        return True
    if s.kind == "bench_network":
        return network_admin and action in (Action.CREATE, Action.INVITE)
    if s.kind == "bench_commitments":
        return coordinator and action is Action.EDIT
    if s.kind == "bench_round":
        if action is Action.VIEW:
            involved = any(
                (role, e) in g.entity_roles
                for e in s.entities
                for role in (Role.CITY_COORDINATOR, Role.RESPONDENT)
            )
            return published or network_admin or involved or reviewer
        return network_admin and action in (Action.EDIT, Action.INVITE, Action.PUBLISH)
    if s.kind == "bench_assessment":
        if action is Action.VIEW:
            return published or coordinator or reviewer
        if action in (Action.ASSIGN, Action.SUBMIT):
            return coordinator and s.state == "draft"
        if action is Action.START_REVIEW:
            return reviewer and s.state == "submitted"
        if action is Action.PUBLISH:
            return coordinator and s.state in _UNDER_REVIEW
        if action is Action.CREATE:
            return network_admin
        return False
    if s.kind == "bench_question":
        assignee = (
            g.user_id is not None and g.user_id in s.assignees and g.has(Role.RESPONDENT, s.entity)
        )
        if action is Action.VIEW:
            return published or coordinator or reviewer or assignee
        if action in (Action.ANSWER, Action.UPLOAD):
            return (coordinator or assignee) and s.state == "draft"
        return False
    if s.kind == "bench_review":
        if action is Action.VIEW:
            return published or coordinator or reviewer
        if action in (Action.EDIT, Action.WRITE_REVIEW):
            return reviewer and s.state in _UNDER_REVIEW
        if action is Action.HISTORY:
            return reviewer or coordinator
        return False
    if s.kind == "bench_survey":
        if action is Action.CREATE:
            return coordinator
        if action is Action.VIEW:
            return published or coordinator or reviewer
        return False
    return False


def _rule(g: Grants, action: Action, s: Scope) -> bool:
    if s.kind == "practice":
        return _practice(g, action, s)
    if s.kind == "country_profile":
        if action is Action.VIEW:
            return True
        if action in (Action.EDIT_PROFILE, Action.HISTORY):
            return g.everywhere or (s.geo is not None and s.geo in g.countries)
        return False
    if s.kind == "organisation":
        if action is Action.VIEW:
            return True
        return action is Action.EDIT_ORGANISATION and g.everywhere
    if s.kind == "users":
        return action is Action.MANAGE_USERS and g.admin
    if s.kind == "toolbox":
        return action is Action.VIEW
    if s.kind == "skills_profile":
        return _skills_profile(g, action, s)
    if s.kind.startswith("bench_") or s.kind == "frameworks":
        return _benchmark(g, action, s)
    if s.kind == "toolbox_plan":
        if action not in (Action.VIEW, Action.EDIT):
            return False
        if s.state == "session":
            return g.user_id is None
        return g.user_id is not None and s.owner_id == g.user_id
    return False


def can(user: Any, action: Action | str, obj: Scoped | Scope | None = None) -> bool:
    """Return whether ``user`` may do ``action`` on ``obj``.

    ``obj`` is a model with ``access_scope()``, a :class:`Scope`, or ``None`` for an
    action on practices in general (``create``). An unknown action is refused.
    """
    try:
        act = Action(action)
    except ValueError:
        return False
    if obj is None:
        scope = USERS if act is Action.MANAGE_USERS else PRACTICES
    elif isinstance(obj, Scope):
        scope = obj
    else:
        scope = obj.access_scope()
    return _rule(grants(user), act, scope)


def require(user: Any, action: Action | str, obj: Scoped | Scope | None = None) -> None:
    """Raise ``PermissionDenied`` unless :func:`can` allows it."""
    if not can(user, action, obj):
        raise PermissionDenied(f"not allowed: {action}")
