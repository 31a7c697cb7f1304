"""Page forms for RFQs.

The page does not validate an RFQ its own way: the cleaned form is turned into the API's
input shape and checked by `RFQInput` (and through it by the auction mechanism), so a
buyer gets the same answer — and the same messages — from the page as from the API.
Django forms only parse the HTML inputs; `RFQEditor` carries the messages back to the
right field.
"""
from .editor import RFQEditor, initial_for, trim_decimal
from .rfq import (
    COMMON_CURRENCIES,
    FALLBACK_LABELS,
    SETTINGS_FIELDS,
    TIE_BREAK_LABELS,
    LineItemForm,
    LineItemFormSet,
    RFQForm,
)
from .workflow import (
    AwardForm,
    CancelForm,
    InviteSuppliersForm,
    ReasonForm,
    ReopenForm,
    award_reason,
    manual_allocation,
)

__all__ = ["AwardForm", "COMMON_CURRENCIES", "FALLBACK_LABELS", "SETTINGS_FIELDS", "TIE_BREAK_LABELS", "CancelForm",
           "InviteSuppliersForm", "LineItemForm", "LineItemFormSet", "RFQEditor", "RFQForm", "ReasonForm",
           "ReopenForm", "award_reason", "initial_for", "manual_allocation", "trim_decimal"]
