"""OCDS 1.1 export: the RFQ as the outside world reads it (api.md "OCDS export").

One release per stage reached, derived from the RFQ's audit events (stages.py) so that a
release never changes once made and is dated by the event; the release built per stage
(releases.py); the release package and the compiled record (package.py); the API (api.py).
"""
