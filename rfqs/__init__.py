"""The RFQ's tables: the RFQ and its line items, with the state machine's transitions.
Every app's rows point at an RFQ, so this sits at the ground, above common only."""
