"""Local integration policy benchmarks as data, and the one engine that scores them.

Frameworks (``model``): dimensions → standards → questions → answer options, with the
aggregation rule per level (unweighted ``mean`` as MIPEX, ``weighted`` as the Council of
Europe's Intercultural Cities Index, ``geometric``, or ``qualitative`` as the INTI-Cities
and DIVE peer reviews), verbal bands and core questions. ``loading`` reads them strictly
from YAML; ``scoring`` scores answers with ranges under missing answers; ``comparison``
finds the questions comparable across versions and the peers to learn from. The bundled
frameworks (``data/``) are the project's renderings of public descriptions, not the
official questionnaires. See ``docs/frameworks.md``.
"""

from __future__ import annotations

from zaragoza.frameworks.comparison import PEER_COLUMNS, core_changes, peers
from zaragoza.frameworks.loading import (
    bundled_framework,
    bundled_frameworks,
    load_framework,
    parse_framework,
)
from zaragoza.frameworks.model import (
    LEVELS,
    Aggregation,
    Band,
    Dimension,
    Framework,
    NumberScale,
    Option,
    Question,
    QuestionType,
    Source,
    Standard,
)
from zaragoza.frameworks.scoring import (
    SCORE_COLUMNS,
    NodeScore,
    Scores,
    aggregate,
    score_assessment,
    score_question_scores,
    scores_frame,
    validate_answer,
)

__all__ = [
    "LEVELS",
    "PEER_COLUMNS",
    "SCORE_COLUMNS",
    "Aggregation",
    "Band",
    "Dimension",
    "Framework",
    "NodeScore",
    "NumberScale",
    "Option",
    "Question",
    "QuestionType",
    "Scores",
    "Source",
    "Standard",
    "aggregate",
    "bundled_framework",
    "bundled_frameworks",
    "core_changes",
    "load_framework",
    "parse_framework",
    "peers",
    "score_assessment",
    "score_question_scores",
    "scores_frame",
    "validate_answer",
]
