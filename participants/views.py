"""Public pages: the programme, a stage with its registration form, and the personal links.

Function views, thin: read input, call a selector or a service, render or redirect.
"""

from functools import cache, wraps

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from courses.selectors import current_programme
from participants import links, page_cache, selectors, services
from participants.attendance import selectors as attendance_selectors
from participants.calendar import calendar_for_sessions
from participants.certificates import selectors as certificate_selectors
from participants.forms import ManageDetailsForm, RegistrationForm
from participants.models import Registration
from participants.privacy import services as privacy_services
from participants.privacy.selectors import participant_personal_data
from participants.privacy.views import personal_data_response
from participants.ratelimit import (
    personal_link_posts_limited,
    registration_count,
    too_many_requests,
)

Status = Registration.Status
EMPTY_FORM_TEMPLATE = "participants/includes/registration_form.html"


# --- programme and stages ---------------------------------------------------------------------


def programme_detail(request):
    return page_cache.public_page(request, "programme", _programme_parts, _programme_page)


def _programme_page(request, parts):
    return render(request, "participants/programme_detail.html", parts)


def _programme_parts():
    """The programme page as every visitor in this language sees it (cached: ``page_cache``)."""
    programme = current_programme()
    stages = selectors.public_stages(programme=programme) if programme else []
    cards = render_to_string("participants/includes/stage_cards.html", {"stages": stages})
    return {"programme": programme, "stage_cards": cards}


def _stage_parts(stage_id, *, empty_form=True):
    """The stage page as every visitor in this language sees it, or None if there is no such
    public stage; with the empty registration form rendered unless ``empty_form`` is False."""
    stage = _public_stage(stage_id)
    if stage is None:
        return None
    about = render_to_string("participants/includes/stage_about.html", {"stage": stage})
    form = _empty_form_html(get_language()) if empty_form else ""
    refusal = services.registration_refusal(stage)
    return {
        "programme": stage.programme,
        "stage": stage,
        "about": about,
        "empty_form": form,
        "refusal": refusal,
    }


@cache
def _empty_form_html(language):
    """The empty registration form in ``language``: the same for every stage and visitor while
    the code stays the same, so each process renders it once per language (crispy-forms makes it
    the costliest part of the stage page, rebuilt whenever a seat is taken)."""
    return render_to_string(EMPTY_FORM_TEMPLATE, {"form": RegistrationForm()})


@require_http_methods(["GET", "POST"])
def stage_detail(request, stage_id):
    if request.method == "POST":
        return _stage_post(request, stage_id)
    return page_cache.public_page(
        request, f"stage:{stage_id}", lambda: _stage_parts(stage_id), _stage_page
    )


def _stage_page(request, parts):
    # No form object: the empty form is in the parts, already rendered.
    return render(request, "participants/stage_detail.html", {**parts, "form": None})


def _stage_post(request, stage_id):
    """A registration sent: everything read afresh from the database, nothing cached.

    Registering needs only the stage itself; the whole page (hours, seats, sessions) is built
    only when the form is shown again (errors, registration closed, the address's limit).
    """
    stage = _registration_stage_or_404(stage_id)
    form = RegistrationForm(data=request.POST)
    if services.registration_refusal(stage) is None:
        if form.is_bot():
            return redirect("participants:registration_sent", stage_id=stage.pk)
        if form.is_valid():
            retry_after = _count_if_new(request, form, stage)
            if retry_after is not None:
                # The form is shown again with everything typed; nothing was saved.
                template = "participants/stage_detail.html"
                context = _stage_post_context(stage_id, form)
                return too_many_requests(request, template, context, retry_after)
            if _register(form, stage):
                return redirect("participants:registration_sent", stage_id=stage.pk)
    return render(request, "participants/stage_detail.html", _stage_post_context(stage_id, form))


def _stage_post_context(stage_id, form):
    parts = _stage_parts(stage_id, empty_form=False)
    if parts is None:
        raise Http404
    return {**parts, "form": form}


def _count_if_new(request, form, stage):
    """Count a new registration against the address's limit (a repeat is not counted).

    Returns the seconds to wait when the address has registered too many people, else None.
    """
    participant = services.participant_find(form.cleaned_data["email"])
    if participant and selectors.live_registration(participant=participant, stage=stage):
        return None
    return registration_count(request)


def _register(form, stage):
    """Register from a valid form; False (with the reason on the form) if refused."""
    try:
        services.registration_create(
            stage=stage,
            participant_data=form.participant_data(),
            language=form.cleaned_data["language"],
            consent_version=services.CONSENT_VERSION,
        )
    except services.RegistrationError as error:
        form.add_error(None, error)
        return False
    return True


def _public_stage(stage_id):
    """The stage with its programme loaded (the page's footer needs the programme), or None."""
    programme = current_programme()
    return selectors.public_stage(programme=programme, stage_id=stage_id) if programme else None


def _registration_stage_or_404(stage_id):
    """The current programme's stage with its programme, without the public pages' hours,
    seats and sessions (registering and its answer need none of them; building them costs
    more than the registration itself)."""
    programme = current_programme()
    stage = (
        programme.stages.select_related("programme").filter(pk=stage_id).first()
        if programme
        else None
    )
    if stage is None:
        raise Http404
    return stage


def registration_sent(request, stage_id):
    stage = _registration_stage_or_404(stage_id)
    return render(request, "participants/registration_sent.html", {"stage": stage})


def privacy(request):
    programme = current_programme()
    context = {
        "consent_version": services.CONSENT_VERSION,
        "retention": privacy_services.retention_period(),
        "programme_end": programme.end_date if programme else None,
        "erasure_date": privacy_services.erasure_date(programme) if programme else None,
    }
    return render(request, "participants/privacy.html", context)


# --- personal links ---------------------------------------------------------------------------


def link_problem(request, problem):
    """The "link does not work" page (400) for a bad, expired or withdrawn personal link."""
    context = {
        "expired": isinstance(problem, links.ExpiredLink),
        "withdrawn": isinstance(problem, links.WithdrawnLink),
    }
    return render(request, "participants/link_invalid.html", context, status=400)


def cancelled_page(request, registration):
    """All an old link shows once its registration is cancelled: no details, forms or files."""
    return render(request, "participants/manage_cancelled.html", {"stage": registration.stage})


def _registration_from(token, *, salt, max_age):
    """The registration a signed, current token names; raises links.BadLink if there is none."""
    return links.registration_for_token(token, salt=salt, max_age=max_age)


def _confirmation_registration(token):
    return _registration_from(
        token, salt=links.CONFIRMATION_SALT, max_age=links.CONFIRMATION_MAX_AGE
    )


def _manage_registration(token):
    return _registration_from(token, salt=links.MANAGE_SALT, max_age=links.MANAGE_MAX_AGE)


def _registration_link(read):
    """For a view of a personal link: it gets ``(request, registration, token)``.

    A bad, expired or withdrawn token answers the "link does not work" page (400) instead, and
    a cancelled registration's link only says that it was cancelled.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, token):
            try:
                registration = read(token)
            except links.BadLink as problem:
                return link_problem(request, problem)
            if registration.status == Status.CANCELLED:
                return cancelled_page(request, registration)
            return view(request, registration, token)

        return wrapper

    return decorate


@require_http_methods(["GET", "POST"])
@personal_link_posts_limited
@_registration_link(_confirmation_registration)
def registration_confirm(request, registration, token):
    """GET shows a button, POST confirms: mail scanners that open links do not confirm."""
    if request.method == "POST":
        mail_id = links.token_mail_id(
            token, salt=links.CONFIRMATION_SALT, max_age=links.CONFIRMATION_MAX_AGE
        )
        registration = services.registration_confirm_email(
            registration=registration, confirmation_mail_id=mail_id
        )
        return redirect(f"{_manage_path(registration)}?confirmed=1")
    return render(request, "participants/registration_confirm.html", {"registration": registration})


def _manage_path(registration):
    token = links.make_token(registration, salt=links.MANAGE_SALT)
    return reverse("participants:registration_manage", kwargs={"token": token})


@require_http_methods(["GET", "POST"])
@personal_link_posts_limited
@_registration_link(_manage_registration)
def registration_manage(request, registration, token):
    participant = registration.participant
    form = ManageDetailsForm.for_participant(
        participant, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and registration.is_live and form.is_valid():
        services.participant_update_details(participant=participant, data=form.cleaned_data)
        return redirect(f"{reverse('participants:registration_manage', args=[token])}?saved=1")
    context = {
        "registration": registration,
        "stage": registration.stage,
        "sessions": selectors.stage_sessions(registration.stage),
        "seats_left": selectors.seats_left(registration.stage),
        "form": form,
        "token": token,
        "saved": request.GET.get("saved") == "1",
        "just_confirmed": request.GET.get("confirmed") == "1",
        "waiting_position": selectors.waiting_list_position(registration),
        "attendance_progress": _attendance_progress(registration),
        "certificate": certificate_selectors.certificate_for_registration(registration),
    }
    return render(request, "participants/manage.html", context)


def _attendance_progress(registration):
    """Attended hours against the threshold, for a participant who holds a seat."""
    if registration.status != Status.CONFIRMED:
        return None
    return attendance_selectors.participant_stage_progress(
        participant=registration.participant, stage=registration.stage
    )


@require_http_methods(["GET", "POST"])
@personal_link_posts_limited
@_registration_link(_manage_registration)
def registration_cancel(request, registration, token):
    """GET asks "are you sure?", POST cancels."""
    if request.method == "POST" and registration.is_live:
        services.registration_cancel(registration=registration)
        return redirect("participants:registration_manage", token=token)
    return render(
        request,
        "participants/manage_cancel.html",
        {"registration": registration, "stage": registration.stage, "token": token},
    )


@require_safe
@_registration_link(_manage_registration)
def registration_calendar(request, registration, token):
    content = calendar_for_sessions(
        selectors.stage_sessions(registration.stage),
        language=get_language(),
        title=str(registration.stage),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    filename = f"{slugify(registration.stage.title_lv) or 'stage'}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@_registration_link(_manage_registration)
def registration_personal_data(request, registration, token):
    """Everything held about the person, as a JSON file (GDPR access and portability)."""
    return personal_data_response(participant_personal_data(participant=registration.participant))
