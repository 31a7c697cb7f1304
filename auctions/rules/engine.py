"""The rule engine: a registry of rules, each checked against a bid attempt.

A rule is one function registered with `@rule(...)`: it gets the attempt's context and
returns nothing, a message, or a list of findings. Adding a rule is one registration.
Rules run in two phases: "pre" before the auction row is locked (eligibility, format — may
read the database but not the auction's live state) and "locked" inside the bid
transaction against the locked row (window, prices, rates), so the lock is held only for
the checks that need it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .context import BidContext

CATEGORIES = ("eligibility", "format", "validity", "timing", "fairness")
SEVERITIES = ("block", "warn", "log")


@dataclass(frozen=True)
class Finding:
    """What a rule found: a message for the supplier, plus facts for the fairness report."""

    message: str
    reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    rule: str
    category: str
    severity: str
    message: str
    reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return self.severity == "block"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "category": self.category, "severity": self.severity,
                "message": self.message, "reason": self.reason, "metadata": self.metadata}


# What a rule returns: nothing, a message, a finding, or several.
RuleResult = None | str | Finding | Iterable[Finding | str]
Check = TypeVar("Check", bound=Callable[["BidContext"], RuleResult])


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    category: str
    severity: str
    phase: str
    actions: tuple[str, ...]
    auction_types: tuple[str, ...] | None
    check: Callable[[BidContext], RuleResult]

    def applies(self, *, action: str, auction_type: str, phase: str) -> bool:
        return (phase == self.phase and action in self.actions
                and (self.auction_types is None or auction_type in self.auction_types))

    def run(self, context: BidContext) -> list[Violation]:
        result = self.check(context)
        if result is None:
            return []
        findings = [result] if isinstance(result, (str, Finding)) else list(result)
        return [Violation(self.id, self.category, self.severity, f.message if isinstance(f, Finding) else f,
                          f.reason if isinstance(f, Finding) else None,
                          f.metadata if isinstance(f, Finding) else {})
                for f in findings]


REGISTRY: dict[str, Rule] = {}


def rule(id: str, *, name: str, category: str, severity: str = "block", phase: str = "pre",
         actions: tuple[str, ...] = ("place",), auction_types: tuple[str, ...] | None = None,
         ) -> Callable[[Check], Check]:
    """Register a rule function under `id`."""
    assert category in CATEGORIES and severity in SEVERITIES and phase in ("pre", "locked")

    def register(check: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"Rule {id} is registered twice")
        REGISTRY[id] = Rule(id, name, category, severity, phase, actions, auction_types, check)
        return check
    return register


def run_rules(context: BidContext, *, phase: str) -> list[Violation]:
    """Every applicable rule of the phase, in registration order; all findings, not just the first."""
    violations: list[Violation] = []
    for registered in REGISTRY.values():
        if registered.applies(action=context.action, auction_type=context.rfq.auction_type, phase=phase):
            violations.extend(registered.run(context))
    return violations
