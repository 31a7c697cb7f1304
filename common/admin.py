"""Admin pieces shared by the apps, and the admin site itself."""
import logging
from functools import wraps

from django.contrib import admin, messages
from django.shortcuts import redirect

logger = logging.getLogger(__name__)


class QuaysideAdminSite(admin.AdminSite):
    """Django's admin site, with one guard around every admin view.

    Some parameters no form offers reach past the admin's own checks into Python or the
    database and fail there: a date drill-down to the year 9999 (`?created_at__year=9999`:
    the next year does not exist), an id beyond SQLite's integer (`?pk__in=99999999999999999999`,
    or a many-to-many choice posted so). Such a request goes back to the page without them,
    with a message, instead of a 500. Only requests that carry parameters: a bare page that
    fails is a bug, and stays a 500 for the error log.
    """

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            try:
                return guarded(request, *args, **kwargs)
            except (ValueError, OverflowError) as exc:
                if not (request.GET or request.method == "POST"):
                    raise
                logger.warning("admin %s %s refused: %r", request.method, request.path, exc, exc_info=True)
                messages.error(request, "A value in that request is out of range or not a date, so it was not "
                                        "carried out.")
                return redirect(request.path)
        return inner


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the product writes and nobody edits by hand: the audit trail, bids, alerts,
    reports, samples. Viewing is left to the view permission."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def apply_each(modeladmin, request, objects, act, *, done: str, label=None) -> int:
    """Run `act(obj)` on each selected object through its service: a refusal is reported for
    that object and the others go on; the successes are reported once (`done` formats {n})."""
    from django.contrib import messages

    from common.errors import ApplicationError

    count = 0
    for obj in objects:
        try:
            act(obj)
            count += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{label(obj)}: {exc.message}" if label else exc.message, messages.ERROR)
    if count:
        modeladmin.message_user(request, done.format(n=count), messages.SUCCESS)
    return count


def action_with_form(modeladmin, request, queryset, *, form_class, apply, title: str, intro: str, submit: str,
                     describe):
    """An admin action that first asks for something on a page of its own (a reason, notes):
    the page lists the selection (`describe(obj)` per line) and re-posts it with the form.
    Once the form is valid, `apply(queryset, cleaned_data)` runs and the change list returns."""
    from django.shortcuts import render

    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        apply(queryset, form.cleaned_data)
        return None
    return render(request, "admin/action_with_form.html", {
        **modeladmin.admin_site.each_context(request), "title": title, "intro": intro, "submit": submit,
        "form": form, "items": [describe(obj) for obj in queryset], "opts": modeladmin.model._meta,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    })
