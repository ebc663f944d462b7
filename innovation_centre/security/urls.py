from django.urls import path

from innovation_centre.security import two_factor

app_name = "security"

urlpatterns = [
    path("two-factor/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("two-factor/code/", two_factor.two_factor_verify, name="two_factor_verify"),
]
