"""The Celery application: JSON only, tasks take primary keys, settings under CELERY_."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innovation_centre.settings")

app = Celery("innovation_centre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
