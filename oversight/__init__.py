"""Oversight: what compliance officers and buyers read off the audit trail and the engine's
records — fairness reports and certification, gaming detection, verification of the chain
and of the state, quarterly compliance samples. Its records are audit's tables."""
