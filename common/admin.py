"""Admin pieces shared by the apps."""
from django.contrib import admin


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
