"""The steps shared by the skills pages: open and seal profiles, log access, export, erase.

Personal data never leaves these functions in the clear except towards the page that
asked for it after :func:`~zaragoza.portal.accounts.permissions.require` allowed it; logs
and errors name the profile's random id, never the person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from zaragoza.portal.skills.crypto import open_sealed, rotate_token, seal
from zaragoza.portal.skills.models import AccessLog, Consent, LinkCode, Profile, Retention
from zaragoza.portal.skills.questions import CONSENT_VERSION
from zaragoza.skills.profile import SCHEMA_VERSION
from zaragoza.skills.profile import Profile as Record
from zaragoza.skills.rules import next_steps
from zaragoza.skills.synthetic import EXAMPLE_ORGANISATION

__all__ = [
    "EXAMPLE_ORGANISATION",
    "LINK_CODE_DAYS",
    "claim",
    "claimable",
    "consents",
    "counted",
    "counted_with_origin",
    "create",
    "erase",
    "export",
    "from_export",
    "link_code",
    "log",
    "open_profile",
    "purge",
    "put_examples",
    "retention",
    "rotate",
    "save",
    "set_retention",
    "unlink",
]

logger = logging.getLogger("zaragoza.skills")


def log(profile: Profile | Any, user: Any, action: str) -> None:
    """Record who did what to which profile (the id only)."""
    AccessLog.objects.create(
        profile_id=profile.pk,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
    )


def open_profile(profile: Profile) -> tuple[Record, dict[str, str]]:
    """The profile's record and the interview's languages (counsellor, person)."""
    data = open_sealed(profile.sealed)
    return Record.model_validate(data["profile"]), data["languages"]


def _seal(record: Record, languages: dict[str, str]) -> str:
    return seal({"profile": record.model_dump(mode="json"), "languages": languages})


@transaction.atomic
def create(
    organisation: str,
    record: Record,
    languages: dict[str, str],
    statistics: bool,
    user: Any,
    *,
    synthetic: bool = False,
) -> Profile:
    """A new profile, with the person's consents (counselling given, statistics as asked);
    ``synthetic`` marks an invented one (:mod:`zaragoza.skills.synthetic`)."""
    profile = Profile.objects.create(
        organisation=organisation, sealed=_seal(record, languages), synthetic=synthetic
    )
    Consent.objects.create(
        profile=profile, purpose="counselling", given=True, text_version=CONSENT_VERSION
    )
    Consent.objects.create(
        profile=profile, purpose="statistics", given=statistics, text_version=CONSENT_VERSION
    )
    log(profile, user, "create")
    logger.info("skills profile %s created", profile.pk)
    return profile


@transaction.atomic
def save(profile: Profile, record: Record, languages: dict[str, str], user: Any) -> None:
    profile.sealed = _seal(record, languages)
    profile.save(update_fields=["sealed", "updated_at"])
    log(profile, user, "edit")


def consents(profile: Profile) -> dict[str, bool]:
    """The person's latest answer per purpose."""
    latest: dict[str, bool] = {}
    for c in Consent.objects.filter(profile=profile):
        latest[c.purpose] = c.given
    return latest


def set_consent(profile: Profile, purpose: str, given: bool, user: Any) -> None:
    Consent.objects.create(
        profile=profile, purpose=purpose, given=given, text_version=CONSENT_VERSION
    )
    log(profile, user, "consent")


def export(profile: Profile) -> dict[str, Any]:
    """The person's data as JSON (``docs/skills.md``, "The JSON export"): importable again."""
    record, languages = open_profile(profile)
    return {
        "schema": "zaragoza-skills-profile",
        "schema_version": SCHEMA_VERSION,
        "id": str(profile.pk),
        "organisation": profile.organisation,
        "created": profile.created_at.isoformat(),
        "languages": languages,
        "profile": record.model_dump(mode="json"),
        "consents": [
            {
                "purpose": c.purpose,
                "given": c.given,
                "text_version": c.text_version,
                "at": c.at.isoformat(),
            }
            for c in Consent.objects.filter(profile=profile)
        ],
        "next_steps": [
            {"step": s.step, "rule": s.rule, "measures": list(s.measures)}
            for s in next_steps(record)
        ],
    }


#: The largest JSON export a profile is imported from (a profile is a few kilobytes).
EXPORT_MAX_BYTES = 1_000_000


def from_export(
    raw: bytes, organisation: str, statistics: bool, user: Any
) -> tuple[Profile | None, list[tuple[str, str]]]:
    """A new profile of ``organisation`` from a JSON export (:func:`export`), which the
    person brings from another service; or the problems that stop it, each (where,
    what), never the file's values (they are personal).

    The record and the interview's languages are taken; the consents are not: they
    were given to the other service, so this one records its own (counselling given,
    statistics as asked), like a profile started here. The new profile has its own id,
    and the import is in the access log.
    """
    import json

    import pydantic

    from zaragoza.portal.skills.questions import complete_languages

    if len(raw) > EXPORT_MAX_BYTES:
        return None, [("file", f"larger than {EXPORT_MAX_BYTES:,} bytes")]
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "file"
        return None, [(where, "not JSON in UTF-8")]
    if not isinstance(data, dict) or data.get("schema") != "zaragoza-skills-profile":
        return None, [("schema", "not a skills profile exported by Zaragoza")]
    if str(data.get("schema_version")) != SCHEMA_VERSION:
        return None, [("schema_version", f"this portal reads version {SCHEMA_VERSION}")]
    try:
        record = Record.model_validate(data.get("profile"))
    except pydantic.ValidationError as exc:
        return None, [
            (".".join(["profile", *(str(p) for p in e["loc"])]), e["msg"]) for e in exc.errors()
        ]
    offered = complete_languages()
    given = data.get("languages")
    chosen: dict[str, Any] = given if isinstance(given, dict) else {}
    languages = {
        role: str(chosen[role]) if chosen.get(role) in offered else "en"
        for role in ("counsellor", "person")
    }
    profile = create(organisation, record, languages, statistics, user)
    log(profile, user, "import")
    return profile, []


@transaction.atomic
def erase(profile: Profile, user: Any, action: str = "erase") -> None:
    """Remove the person's data: the sealed record and the consents; a tombstone stays."""
    profile.sealed = ""
    profile.state = "erased"
    profile.owner = None
    profile.erased_at = timezone.now()
    profile.save()
    Consent.objects.filter(profile=profile).delete()
    LinkCode.objects.filter(profile=profile).delete()
    log(profile, user, action)
    logger.info("skills profile %s erased", profile.pk)


#: How long a link code stays valid.
LINK_CODE_DAYS = 14
# Crockford's base32: no I, L, O or U, so a code read out or copied by hand survives;
# 12 symbols are 60 random bits, beyond guessing within a code's 14 days.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 12
_CODE_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _digest(code: str) -> str | None:
    """The digest of a code as typed (case, spaces, dashes and look-alikes forgiven);
    ``None`` when it cannot be a code."""
    text = "".join(code.upper().split()).replace("-", "").translate(_CODE_READS_AS)
    if len(text) != _CODE_LENGTH or any(c not in _CODE_ALPHABET for c in text):
        return None
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@transaction.atomic
def link_code(profile: Profile, user: Any) -> tuple[str, dt.datetime]:
    """A new one-time code for the person to link their account to ``profile``, and
    when it expires. Earlier unused codes of the profile stop working. The code itself
    is returned once and never stored."""
    LinkCode.objects.filter(profile=profile).delete()
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    expires = timezone.now() + dt.timedelta(days=LINK_CODE_DAYS)
    digest = _digest(raw)
    assert digest is not None
    LinkCode.objects.create(
        profile=profile,
        digest=digest,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        expires_at=expires,
    )
    log(profile, user, "link_code")
    return "-".join(raw[i : i + 4] for i in range(0, _CODE_LENGTH, 4)), expires


def claimable(code: str) -> LinkCode | None:
    """The unexpired code's record for an active profile, or ``None``."""
    digest = _digest(code)
    if digest is None:
        return None
    return (
        LinkCode.objects.select_related("profile")
        .filter(digest=digest, expires_at__gt=timezone.now(), profile__state="active")
        .first()
    )


@transaction.atomic
def claim(found: LinkCode, user: Any) -> Profile:
    """Link ``user``'s account to the profile of ``found`` (from :func:`claimable`) and
    use the code up. The profile's earlier owner, if any, loses it."""
    profile: Profile = found.profile
    profile.owner = user
    profile.save(update_fields=["owner"])
    LinkCode.objects.filter(profile=profile).delete()
    log(profile, user, "link")
    logger.info("skills profile %s linked to an account", profile.pk)
    return profile


@transaction.atomic
def unlink(profile: Profile, user: Any) -> None:
    """Take the profile away from the account linked to it; unused codes stop working."""
    profile.owner = None
    profile.save(update_fields=["owner"])
    LinkCode.objects.filter(profile=profile).delete()
    log(profile, user, "unlink")


def set_retention(organisation: str, days: int) -> None:
    """Set ``organisation``'s retention period (days unchanged before a profile is purged)."""
    from zaragoza.errors import UsageError

    _check_days(days)
    if not organisation.strip() or len(organisation) > 100:
        raise UsageError(
            "invalid organisation for a retention period",
            value=organisation,
            hint="an organisation's name, 1 to 100 characters",
        )
    Retention.objects.update_or_create(organisation=organisation, defaults={"days": days})
    logger.info("retention of %s set to %d days", organisation, days)


def retention() -> dict[str, int]:
    """Each organisation's retention period in days (organisations without one absent)."""
    return dict(Retention.objects.values_list("organisation", "days"))


def _check_days(days: object) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        from zaragoza.errors import UsageError

        raise UsageError("the retention period is a whole number of days, 1 or more", value=days)


def purge(
    days: int | None = None, organisation: str | None = None, *, now: dt.datetime | None = None
) -> int:
    """Erase the active profiles kept past their retention period; return how many.

    A profile is past it when unchanged for more than its organisation's period
    (:class:`~zaragoza.portal.skills.models.Retention`), or ``days`` when given (an
    override for every organisation); an organisation without a period and no ``days``
    keeps its profiles (naming such an organisation alone is an error). Each erasure is
    logged as ``purge``, by nobody.
    """
    if days is not None:
        _check_days(days)
        periods = {organisation: days} if organisation is not None else None
    else:
        periods = retention()
        if organisation is not None:
            if organisation not in periods:
                from zaragoza.errors import UsageError

                raise UsageError(
                    "the organisation has no retention period",
                    value=organisation,
                    hint="Set one (zaragoza profiles retention) or give the period "
                    "(--older-than-days)",
                )
            periods = {organisation: periods[organisation]}
    at = now or timezone.now()
    if periods is None:  # one period for every organisation
        assert days is not None
        old = Profile.objects.filter(state="active", updated_at__lt=at - dt.timedelta(days=days))
        return _erase_all(old)
    done = 0
    for org, org_days in periods.items():
        limit = at - dt.timedelta(days=org_days)
        done += _erase_all(
            Profile.objects.filter(state="active", organisation=org, updated_at__lt=limit)
        )
    return done


def _erase_all(profiles: Any) -> int:
    done = 0
    for profile in profiles:
        erase(profile, None, action="purge")
        done += 1
    return done


def counted() -> list[Record]:
    """The records of active profiles whose person consents to statistics (latest answer)."""
    return [record for record, _synthetic in counted_with_origin()]


def counted_with_origin() -> list[tuple[Record, bool]]:
    """:func:`counted`, each record with whether it is synthetic."""
    out = []
    for profile in Profile.objects.filter(state="active").exclude(sealed=""):
        if consents(profile).get("statistics"):
            out.append((open_profile(profile)[0], profile.synthetic))
    return out


@transaction.atomic
def put_examples(count: int = 300, organisation: str = EXAMPLE_ORGANISATION) -> int:
    """Put ``count`` synthetic profiles ("Synthetic person N", consenting to statistics)
    in ``organisation`` unless it holds profiles already; return how many were added.

    Once only: a later call (``zaragoza init --force``) leaves them as they are, so
    ``zaragoza profiles aggregate`` gives the same figures.
    """
    from zaragoza.skills.synthetic import synthetic_profiles

    if Profile.objects.filter(organisation=organisation).exists():
        return 0
    languages = {"counsellor": "en", "person": "en"}
    for record in synthetic_profiles(count):
        create(organisation, record, languages, True, None, synthetic=True)
    logger.info("%d synthetic example profiles put in %s", count, organisation)
    return count


def rotate() -> int:
    """Seal every active profile again with the newest key; return how many."""
    done = 0
    for profile in Profile.objects.filter(state="active").exclude(sealed=""):
        profile.sealed = rotate_token(profile.sealed)
        profile.save(update_fields=["sealed"])
        done += 1
    return done


def interview_date() -> dt.date:
    return timezone.localdate()
