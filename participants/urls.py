from django.urls import path

from participants import views
from participants.privacy import views as privacy_views

app_name = "participants"

urlpatterns = [
    path("", views.programme_detail, name="programme_detail"),
    path("stages/<int:stage_id>/", views.stage_detail, name="stage_detail"),
    path("stages/<int:stage_id>/registered/", views.registration_sent, name="registration_sent"),
    path("privacy/", views.privacy, name="privacy"),
    path("confirm/<str:token>/", views.registration_confirm, name="registration_confirm"),
    path("manage/<str:token>/", views.registration_manage, name="registration_manage"),
    path("manage/<str:token>/cancel/", views.registration_cancel, name="registration_cancel"),
    path(
        "manage/<str:token>/calendar.ics",
        views.registration_calendar,
        name="registration_calendar",
    ),
    path(
        "manage/<str:token>/personal-data.json",
        views.registration_personal_data,
        name="registration_personal_data",
    ),
    path("links/", privacy_views.link_request, name="link_request"),
    path("links/sent/", privacy_views.link_request_sent, name="link_request_sent"),
]
