"""Clarifications: a supplier asks the buyer privately; the buyer answers the asker or publishes.

Decisions (README "Clarifications"):
- Who may ask: a supplier whose invitation is SENT or ACCEPTED (a supplier that declined
  still sees the RFQ but no longer asks); the RFQ must be published, open or paused.
- Who answers: a buyer of the RFQ's organisation, once. A second answer is a 409: what was
  sent (to the asker or to everyone) cannot be taken back or silently changed.
- Who sees what (clarifications_for): the buyer's organisation and compliance see every
  question with the asker; a supplier sees its own questions (with any answer) and the
  published answers to other suppliers' questions, with no asker field at all.
- The audit events (`clarification.asked`, `clarification.answered`) are not live types, so
  they never reach suppliers through `/events/` or the WebSocket; the audit log itself is
  compliance-only.
"""
from __future__ import annotations
