"""Running django-fsm transitions with refusals a person can read.

Guards live on the models as side-effect-free `<transition>_blockers()` methods that return
reasons; the FSM's `conditions=` use their `can_*` twins. Here both are turned into one
409 `invalid_transition` whose message says why.
"""
from __future__ import annotations

from typing import Any

from .errors import InvalidTransition


def _state_label(instance, field_name: str, state: str) -> str:
    field = instance._meta.get_field(field_name)
    return dict(field.flatchoices).get(state, state).lower()


def _article(noun: str) -> str:
    # "an RFQ", "an invitation", "a supplier company": acronyms go by their first letter's sound.
    vowel_sound = noun[0].lower() in "aeiou" or (noun.isupper() and noun[0] in "AEFHILMNORSX")
    return "an" if vowel_sound else "a"


def transition_blockers(instance, name: str) -> list[str]:
    """Why `instance.<name>()` may not run now; empty when it may."""
    method = getattr(instance, name)
    meta = method._django_fsm
    field_name = meta.field if isinstance(meta.field, str) else meta.field.name
    state = getattr(instance, field_name)
    if not meta.has_transition(state):
        sources = [s for s in meta.transitions if s not in ("*", "+")]
        allowed = ", ".join(_state_label(instance, field_name, s) for s in sources)
        noun = str(instance._meta.verbose_name)
        return [f"Cannot {name.replace('_', ' ')} {_article(noun)} {noun} "
                f"that is {_state_label(instance, field_name, state)} (allowed from: {allowed})."]
    blockers = getattr(instance, f"{name}_blockers", None)
    return blockers() if blockers else []


def run_transition(instance, name: str, *, reasons: list[str] | None = None, **kwargs: Any) -> Any:
    """Run a transition or raise InvalidTransition (409) listing every reason it cannot
    (`reasons`: the caller's full list, when guards outside the model add to it)."""
    if reasons is None:
        reasons = transition_blockers(instance, name)
    if reasons:
        raise InvalidTransition(" ".join(reasons))
    return getattr(instance, name)(**kwargs)
