"""Amendments to a published RFQ (product.md §8, api.md "Around the event").

- Numbered from 1 per RFQ, each with the buyer's reason, recorded as an `rfq.amended`
  audit event whose payload says what changed ({field: {"from", "to"}}).
- A later deadline may be set at any time before the close: the close job is rescheduled
  by the deadline version, as for anti-sniping extensions, and live clients receive a
  `deadline_extended` event carrying the amendment. An earlier deadline, the description
  and the line items change only before bidding opens — so no quote can predate a change
  to what it prices.
- Every supplier whose invitation is sent or accepted is e-mailed and sees a banner; it
  acknowledges each amendment before its next bid (bid rule `amendment_acknowledged`).
"""
