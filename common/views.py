"""Landing page, sign-in, the role-based home, and error pages (JSON under /api/)."""
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults

from .errors import error_body


def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "landing.html")


@login_required
def home(request):
    """Send each person to where their work is."""
    user = request.user
    if user.is_buyer:
        return redirect("buyer-rfq-list")
    if user.is_supplier:
        return redirect("supplier-invitations")
    return redirect("admin:index")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def bad_request(request, exception=None):
    """A request Django refuses before any view (an unknown Host header, a suspicious one): in
    the contract's error format under /api/ (api.md: every 4xx), Django's own page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("bad_request", "The request was refused before it reached the API: its "
                                                      "Host header is not one this server answers, or it is "
                                                      "malformed."), status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Something went wrong on our side; it has been logged."),
                            status=500)
    return render(request, "500.html", status=500)
