"""The preferences page every signed-in user has (link in the header's user box)."""
from django.contrib import messages
from django.shortcuts import redirect, render

from common.pages import page_view

from .forms import PreferencesForm
from .services import user_preferences_update


@page_view
def preferences(request):
    user = request.user
    form = PreferencesForm(request.POST or None,
                           initial={"time_zone": user.time_zone, "number_format": user.number_format})
    if request.method == "POST" and form.is_valid():
        user_preferences_update(user=user, **form.cleaned_data)
        messages.success(request, f"Saved: times in {user.time_zone}, numbers as "
                                  f"{user.get_number_format_display()}.")
        return redirect("preferences")
    return render(request, "accounts/preferences.html", {"form": form})
