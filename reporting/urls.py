from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("download/", views.download, name="download"),
    path("submit/", views.submit, name="submit"),
    path("submitted/<int:pk>/", views.submitted_detail, name="submitted_detail"),
    path(
        "submitted/<int:pk>/<str:file_format>/",
        views.submitted_download,
        name="submitted_download",
    ),
]
