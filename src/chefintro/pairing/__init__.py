"""Adept–mentor pairing: the matching problem, suggestions, pairs set by hand, explanations.

``problem`` loads a cohort's matching problem (hard-rule masks, scores; the maths is in
:mod:`chefintro.matching`), ``suggest`` suggests, applies and lists pairs, ``manual`` sets,
removes and excludes by hand, ``consent`` records the mentors' answers to proposals,
``explain`` explains a pair and the unmatched, ``rules`` checks the hard rules over a whole
store. Import from here.
"""

from chefintro.pairing.consent import Answer, Awaiting, answer, awaiting
from chefintro.pairing.explain import Alternative, Explanation, Unmatched, explain, unmatched
from chefintro.pairing.manual import (
    PairRequest,
    PairSet,
    SetPairResult,
    exclude,
    remove_pair,
    set_pair,
    set_pairs,
)
from chefintro.pairing.problem import (
    LIVE,
    RULE_EARLIER,
    RULE_EXCLUDED,
    RULE_SAME_AGENCY,
    MatchingProblem,
    Side,
    load_problem,
)
from chefintro.pairing.rules import live_pair_problems
from chefintro.pairing.stability import BlockingPair, StabilityNote, StabilityReport, stability
from chefintro.pairing.suggest import (
    PairInfo,
    Suggestion,
    apply,
    list_pairs,
    suggest,
    suggest_pairs,
)

__all__ = [
    "LIVE",
    "RULE_EARLIER",
    "RULE_EXCLUDED",
    "RULE_SAME_AGENCY",
    "Alternative",
    "Answer",
    "Awaiting",
    "BlockingPair",
    "Explanation",
    "MatchingProblem",
    "PairInfo",
    "PairRequest",
    "PairSet",
    "SetPairResult",
    "StabilityNote",
    "StabilityReport",
    "Side",
    "Suggestion",
    "Unmatched",
    "answer",
    "apply",
    "awaiting",
    "exclude",
    "explain",
    "list_pairs",
    "live_pair_problems",
    "load_problem",
    "remove_pair",
    "set_pair",
    "set_pairs",
    "stability",
    "suggest",
    "suggest_pairs",
    "unmatched",
]
