"""Admin hardening shared by the apps' ModelAdmins (participants imports it; courses owns it)."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ValidSelectionMixin:
    """Refuse an admin action whose selected rows are not primary keys of the model.

    Only a hand-made or tampered POST sends such values (text, or a number too big for the
    column); Django's admin would answer it with a 500 once the action reads its queryset. Here
    staff get a message and nothing changes.
    """

    def response_action(self, request, queryset):
        if not self._selection_is_valid(request):
            self.message_user(
                request, _("The selection was not valid; nothing was changed."), messages.ERROR
            )
            return None
        return super().response_action(request, queryset)

    def _selection_is_valid(self, request):
        key = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                # The range validators too: SQLite fails on integers past 64 bits.
                key.run_validators(key.to_python(value))
        except ValidationError:
            return False
        return True
