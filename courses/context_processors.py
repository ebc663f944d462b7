from django.utils.functional import SimpleLazyObject

from courses.selectors import current_programme


def programme(request):
    """The programme whose name and funder's acknowledgement every public page shows."""
    return {"programme": SimpleLazyObject(current_programme)}
