"""Buyer pages: RFQ list, create/edit, detail, supplier picker, transitions."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def rfq_list(request):
    return HttpResponse("RFQs")
