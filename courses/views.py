"""Public pages: the programme with its stages and sessions."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from courses.selectors import current_programme, programme_stages


def programme_detail(request):
    programme = current_programme()
    stages = programme_stages(programme=programme) if programme else []
    return render(request, "courses/programme_detail.html", {"stages": stages})


def stage_detail(request, stage_id):
    programme = current_programme()
    if programme is None:
        raise Http404
    stage = get_object_or_404(programme_stages(programme=programme), pk=stage_id)
    return render(request, "courses/stage_detail.html", {"stage": stage})
