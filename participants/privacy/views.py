"""Public page "lost your link?": new personal links by e-mail, the old ones withdrawn."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from participants.privacy import services
from participants.privacy.forms import LinkRequestForm
from participants.privacy.selectors import personal_data_filename
from participants.ratelimit import link_request_count, too_many_requests

TEMPLATE = "participants/link_request.html"


@require_http_methods(["GET", "POST"])
def link_request(request):
    """The same answer whether or not the address is known (and nothing said about it)."""
    form = LinkRequestForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        retry_after = link_request_count(request)
        if retry_after is not None:
            return too_many_requests(request, TEMPLATE, {"form": form}, retry_after)
        services.participant_fresh_links_request(email=form.cleaned_data["email"])
        return redirect("participants:link_request_sent")
    return render(request, TEMPLATE, {"form": form})


@require_safe
def link_request_sent(request):
    return render(request, "participants/link_request_sent.html")


def personal_data_response(data):
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = personal_data_filename(data["participant"]["id"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
