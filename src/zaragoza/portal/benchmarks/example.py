"""The example round (``example/round.yaml``): invented cities, labelled "example — not
real cities" wherever they appear, loaded into the portal's database on start.

Each example city answers every question of the bundled framework by one rule, so that
the example follows the framework as it changes: a scored question gets the option at
the city's level (0 the lowest-scoring option, 1 the highest) moved up or down one step
by a fixed pseudo-random draw per city and question; a number question the value at
that level of its scale; a text question an invented sentence; a share ``missing`` of
the questions is left unanswered (so the ranges under missing answers show).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

__all__ = ["EXAMPLE_FILE", "answer_for", "seed_example"]

EXAMPLE_FILE = Path(__file__).parent / "example" / "round.yaml"


def _draw(*parts: str) -> float:
    """A fixed number in [0, 1) for ``parts`` (the same on every machine and run)."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def answer_for(question: Any, city: str, level: float, missing: float) -> Any:
    """The example answer of ``city`` at ``level`` to ``question`` (None: unanswered)."""
    if _draw(city, question.id, "missing") < missing:
        return None
    # one step down, none or one step up, each as likely (u is uniform on [0, 1))
    step = min(int(3 * _draw(city, question.id, "step")), 2) - 1
    level = min(max(level, 0.0), 1.0)
    if question.type == "text":
        return "Example answer (invented)."
    if question.type == "number" and question.number is not None:
        lo, hi = float(question.number.min), float(question.number.max)
        return round(lo + level * (hi - lo), 1)
    options = sorted(question.options, key=lambda o: (o.score is None, o.score or 0.0))
    if not options:
        return None
    i = min(max(round(level * (len(options) - 1)) + step, 0), len(options) - 1)
    if question.type == "multiple":
        return [o.id for o in options[1 : i + 1]] or [options[0].id]
    return options[i].id


@transaction.atomic
def seed_example(path: Path = EXAMPLE_FILE, framework: str | None = None) -> int:
    """Load the example round(s) if absent; return the number of rounds made.

    ``framework`` replaces the file's framework (tests use a made-up one)."""
    from zaragoza.frameworks import validate_answer
    from zaragoza.portal.benchmarks import services
    from zaragoza.portal.benchmarks.models import (
        Answer,
        Assessment,
        Commitment,
        Entity,
        Finding,
        Network,
        ProgressReport,
        Recommendation,
        Review,
        Round,
        Signatory,
    )

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fw = services.framework(framework or data["framework"])
    key = fw.key
    net, _ = Network.objects.get_or_create(
        code=data["network"]["code"], defaults={"name": data["network"]["name"], "example": True}
    )
    cities = {}
    for c in data["cities"]:
        e, _ = Entity.objects.get_or_create(
            code=c["code"],
            defaults={
                "name": c["name"],
                "kind": "city",
                "code_system": "example",
                "country": c["country"],
                "geo": c["country"],
                "language": c["language"],
                "example": True,
            },
        )
        net.members.add(e)
        cities[c["code"]] = (e, c)
    made = 0
    rounds = {}
    for r in data["rounds"]:
        rnd, created = Round.objects.get_or_create(
            slug=r["slug"],
            defaults={
                "title": r["title"],
                "framework": key,
                "network": net,
                "year": r["year"],
                "state": "published",
                "example": True,
                "published_at": timezone.now(),
            },
        )
        rounds[r["slug"]] = rnd
        if not created:
            continue
        made += 1
        for code, (entity, c) in cities.items():
            a = Assessment.objects.create(
                round=rnd, entity=entity, state="published", published_at=timezone.now()
            )
            for _d, _s, q in fw.questions():
                value = answer_for(
                    q, code, float(c["level"]) + float(r["shift"]), float(c["missing"])
                )
                if value is None:
                    continue
                Answer.objects.create(
                    assessment=a,
                    question=q.id,
                    value=validate_answer(q, value),
                    evidence="Example evidence (invented)." if q.evidence else "",
                )
        rv = data.get("review")
        if rv and r is data["rounds"][-1]:
            a = Assessment.objects.get(round=rnd, entity__code=rv["city"])
            review = Review.objects.create(
                assessment=a, experts=rv["experts"], visit_plan=rv["visit_plan"]
            )
            _d, first, _q = fw.questions()[0]
            Finding.objects.create(
                review=review, standard=first.id, strengths=rv["strengths"], gaps=rv["gaps"]
            )
            Recommendation.objects.create(
                review=review, standard=first.id, text=rv["recommendation"]
            )
    for s in data.get("signatories", []):
        entity = cities[s["city"]][0]
        sig, created = Signatory.objects.get_or_create(
            entity=entity, defaults={"signed_on": dt.date.fromisoformat(str(s["signed_on"]))}
        )
        if not created:
            continue
        for c in s["commitments"]:
            Commitment.objects.create(signatory=sig, role=c["role"], text=c["text"])
        for rep in s["reports"]:
            ProgressReport.objects.create(
                signatory=sig, year=rep["year"], text=rep["text"], round=rounds.get(rep["round"])
            )
    return made
