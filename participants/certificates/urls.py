from django.urls import path

from participants.certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("download/<str:token>/", views.download, name="download"),
]
