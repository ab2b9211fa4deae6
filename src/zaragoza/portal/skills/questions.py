"""The interview's questions, each asked in two languages side by side.

Every label is a gettext message of this app, rendered once in the counsellor's language
and once in the person's (:func:`both`). A language is offered for the person only when
every label has a translation in it (:func:`complete_languages`); right-to-left
languages get ``dir="rtl"``.
"""

from __future__ import annotations

from functools import cache

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

__all__ = [
    "CANDIDATE_LANGUAGES",
    "CONSENT_TEXTS",
    "CONSENT_VERSION",
    "QUESTIONS",
    "answer",
    "both",
    "complete_languages",
    "is_rtl",
]

#: Languages the interview may be held in, if their translation is complete.
CANDIDATE_LANGUAGES = ("en", "fr", "de", "ar", "uk", "fa")
_RTL = frozenset({"ar", "fa", "he", "ps", "ur"})

QUESTIONS: dict[str, str] = {
    "person": gettext_noop("About you"),
    "name": gettext_noop("Name or pseudonym"),
    "year_of_birth": gettext_noop("Year of birth"),
    "sex": gettext_noop("Sex"),
    "citizenship": gettext_noop("Citizenship"),
    "country_of_birth": gettext_noop("Country of birth"),
    "year_of_arrival": gettext_noop("Year of arrival"),
    "legal_status": gettext_noop("Residence status"),
    "contact": gettext_noop("Contact (only if you want)"),
    "expectations": gettext_noop("What you wish"),
    "wished_occupation": gettext_noop("Occupation you wish to work in"),
    "wish_to_study": gettext_noop("I wish to study"),
    "wish_to_start_business": gettext_noop("I wish to start a business"),
    "education": gettext_noop("Education"),
    "isced_level": gettext_noop("Level of education"),
    "field": gettext_noop("Field of study"),
    "completed": gettext_noop("Completed"),
    "country": gettext_noop("Country"),
    "year": gettext_noop("Year"),
    "documents": gettext_noop("I have documents"),
    "recognition": gettext_noop("Recognition of the diploma"),
    "work": gettext_noop("Work experience"),
    "occupation": gettext_noop("Occupation"),
    "years": gettext_noop("Years"),
    "current": gettext_noop("My current job"),
    "tasks": gettext_noop("Tasks"),
    "languages": gettext_noop("Languages"),
    "language": gettext_noop("Language"),
    "native": gettext_noop("Mother tongue"),
    "listening": gettext_noop("Listening"),
    "reading": gettext_noop("Reading"),
    "spoken_interaction": gettext_noop("Spoken interaction"),
    "spoken_production": gettext_noop("Spoken production"),
    "writing": gettext_noop("Writing"),
    "certificate": gettext_noop("Certificate level"),
    "digital": gettext_noop("Digital skills"),
    "driving_licence": gettext_noop("Driving licence"),
    "other_skills": gettext_noop("Other skills"),
    "appraisal": gettext_noop("Counsellor's appraisal"),
    "next_steps": gettext_noop("Next steps"),
    "save": gettext_noop("Save"),
    "skills_profile": gettext_noop("Skills profile"),
}

#: The labels of coded answers (sex, residence and recognition statuses, next steps) and the
#: words the PDF adds to answers, shown in both languages like the questions. The codes
#: are :data:`~zaragoza.skills.profile.LEGAL_STATUSES`,
#: :data:`~zaragoza.skills.profile.RECOGNITION_STATUSES` and
#: :data:`~zaragoza.skills.rules.STEPS` (a test checks that every code has a label).
ANSWERS: dict[str, dict[str, str]] = {
    "legal_status": {
        "international_protection": gettext_noop(
            "International protection (refugee or subsidiary)"
        ),
        "temporary_protection": gettext_noop("Temporary protection"),
        "asylum_seeker": gettext_noop("Asylum seeker"),
        "family": gettext_noop("Family reasons"),
        "work": gettext_noop("Work"),
        "study": gettext_noop("Study"),
        "eu_citizen": gettext_noop("Citizen of another EU country"),
        "host_citizen": gettext_noop("Citizen of this country"),
        "other": gettext_noop("Other"),
        "not_stated": gettext_noop("Not stated"),
    },
    "sex": {
        "not_stated": gettext_noop("Not stated"),
        "F": gettext_noop("Female"),
        "M": gettext_noop("Male"),
        "X": gettext_noop("Other"),
    },
    "recognition": {
        "not_applied": gettext_noop("Not applied for"),
        "pending": gettext_noop("Pending"),
        "recognised": gettext_noop("Recognised"),
        "partial": gettext_noop("Partly recognised"),
        "refused": gettext_noop("Not recognised"),
        "not_needed": gettext_noop("Not needed"),
    },
    "step": {
        "recognition": gettext_noop("Recognition of qualifications"),
        "language_course": gettext_noop("Language course"),
        "bridging_course": gettext_noop("Bridging or up-skilling course"),
        "validation": gettext_noop("Validation of non-formal learning"),
        "job_search": gettext_noop("Job search"),
        "business_start_up": gettext_noop("Business start-up"),
        "over_qualification_risk": gettext_noop("Risk of over-qualification"),
    },
    "word": {
        "not_completed": gettext_noop("not completed"),
        "current": gettext_noop("current"),
        "mother_tongue": gettext_noop("mother tongue"),
        "years": gettext_noop("years"),
    },
    # the sheet a counsellor hands over with a link code, read by the person
    "link": {
        "how": gettext_noop(
            "To see, download or erase your profile yourself, open this address, enter "
            "the code, and sign in or create your account there. The code works once."
        ),
        "code": gettext_noop("Your code"),
        "until": gettext_noop("Valid until"),
    },
}

#: Changes whenever a consent text changes; every consent records the version shown.
CONSENT_VERSION = "2026-12-1"
CONSENT_TEXTS: dict[str, str] = {
    "counselling": gettext_noop(
        "I agree that this service keeps my skills profile to advise me. I can see, "
        "download and erase it at any time."
    ),
    "statistics": gettext_noop(
        "I agree that my profile is counted, without my name and only in groups of at "
        "least ten people, in statistics on the integration of newcomers."
    ),
}


def is_rtl(lang: str) -> bool:
    return lang in _RTL


def _in(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


@cache
def complete_languages() -> tuple[str, ...]:
    """The candidate languages with every question, answer label and consent text
    translated."""
    messages = [*QUESTIONS.values(), *CONSENT_TEXTS.values()]
    messages += [m for labels in ANSWERS.values() for m in labels.values()]
    out = []
    for lang in CANDIDATE_LANGUAGES:
        if lang == "en" or all(_in(lang, m) != m for m in messages):
            out.append(lang)
    return tuple(out)


def both(key: str, first: str, second: str) -> tuple[str, str]:
    """A question in the counsellor's language and in the person's."""
    message = QUESTIONS.get(key) or CONSENT_TEXTS[key]
    return _in(first, message), _in(second, message)


def answer(kind: str, code: str, first: str, second: str) -> tuple[str, str]:
    """The label of a coded answer (``kind`` a key of :data:`ANSWERS`) in both languages."""
    message = ANSWERS[kind][code]
    return _in(first, message), _in(second, message)
