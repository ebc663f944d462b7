from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.programme_detail, name="programme_detail"),
    path("stages/<int:stage_id>/", views.stage_detail, name="stage_detail"),
]
