"""The company's bid-signing keys on its profile page: register, revoke, and the policy of
refusing its unsigned bids (the same services as api.md's /suppliers/me/keys/)."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.errors import ApplicationError
from common.pages import page_view

from .. import signing_keys
from ..forms import SigningKeyForm
from .profile import own_company, profile_context

KEYS_ANCHOR = "#signing-keys"


@require_POST
@page_view
def key_register(request):
    supplier = own_company(request.user)
    form = SigningKeyForm(request.POST)
    if form.is_valid():
        try:
            key = signing_keys.signing_key_register(supplier=supplier, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            for name, problems in exc.fields.items():
                form.add_error(name if name in form.fields else None, problems)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, f"Key {key.key_id} registered ({key.fingerprint}). Sign bids with keyid "
                                      f"\"{key.key_id}\".")
            return redirect(_profile_keys())
    return render(request, "suppliers/profile.html", profile_context(supplier, key_form=form), status=400)


@require_POST
@page_view
def key_revoke(request, pk: int):
    supplier = own_company(request.user)
    key = signing_keys.signing_key_revoke(supplier=supplier, user=request.user, pk=pk)
    messages.success(request, f"Key {key.key_id} revoked: bids signed with it are refused from now on.")
    return redirect(_profile_keys())


@require_POST
@page_view
def signing_policy(request):
    supplier = own_company(request.user)
    wanted = request.POST.get("require_signed_bids") == "on"
    try:
        signing_keys.signing_policy_set(supplier=supplier, user=request.user, require_signed_bids=wanted)
    except ApplicationError as exc:
        messages.error(request, exc.fields.get("require_signed_bids", [exc.message])[0])
    else:
        messages.success(request, "Your company's unsigned bids are refused from now on." if wanted
                         else "Unsigned bids from your company are accepted again.")
    return redirect(_profile_keys())


def _profile_keys() -> str:
    return reverse("supplier-profile") + KEYS_ANCHOR
