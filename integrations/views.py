"""Server-rendered pages for integration consultants: integrations, use cases, history, events.

Views parse input, call one service or selector, and render; org scoping comes from
``erpintegration.ui.access`` (``request.organization``).
"""
from django.shortcuts import render

from erpintegration.ui.access import viewer_required

from .models import Integration


@viewer_required
def integration_list(request):
    integrations = Integration.objects.filter(organization=request.organization)
    return render(request, "integrations/list.html", {"integrations": integrations})
