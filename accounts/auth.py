"""API authentication."""
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from common.db import column_count, instances, run_batch, select_columns
from suppliers.models import SupplierCompany

from .models import User


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication in one statement that also loads the user's supplier company.

    Every API call authenticates, and nearly every one asks which company the user bids
    for: the token, the user and the company come back in one row, with no ORM query to
    compile (common.db), which keeps the bid hot path short. `request.auth` is the Token.
    """

    def authenticate_credentials(self, key):
        rows = run_batch([(
            f"""SELECT {select_columns(User, "u")}, {select_columns(SupplierCompany, "s")}
                  FROM {Token._meta.db_table} t
                  JOIN {User._meta.db_table} u ON u.id = t.user_id
                  LEFT JOIN {SupplierCompany._meta.db_table} s ON s.id = u.supplier_id
                 WHERE t.key = %s""", [key])])[0]
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        split = column_count(User)
        user = instances(User, [rows[0][:split]])[0]
        if user.supplier_id is not None:
            user.supplier = instances(SupplierCompany, [rows[0][split:]])[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)
