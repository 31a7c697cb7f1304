"""Supplier invitation inbox and detail (accept/decline)."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def invitation_list(request):
    return HttpResponse("Invitations")


@login_required
def invitation_detail(request, pk):
    return HttpResponse("Invitation")
