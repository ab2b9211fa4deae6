"""Synthetic profiles: reproducible, valid, labelled in every name."""

from __future__ import annotations

from zaragoza.skills.synthetic import SYNTHETIC_NAME, synthetic_profiles


def test_reproducible_valid_and_labelled() -> None:
    a, b = synthetic_profiles(50, seed=3), synthetic_profiles(50, seed=3)
    assert a == b
    assert a != synthetic_profiles(50, seed=4)
    assert all(p.person.name.startswith(SYNTHETIC_NAME) for p in a)
    assert {p.geo for p in a} == {"AT"}
