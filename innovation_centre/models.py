"""The wiring app's one table: the record of the scale data in the database.

``generate_scale_data`` (see ``innovation_centre.scale_data``) writes one row when it fills the
database and replaces it on the next run: the arguments it was run with and the row counts it
made. That is how it tells its own data (replaced freely; ``--reuse`` keeps it when the
arguments match) from data it did not make (refused unless ``--force``).
"""

from django.db import models


class ScaleDataRun(models.Model):
    arguments = models.JSONField()  # participants, seed, now (as given, or null), share, version
    now = models.DateTimeField()  # the moment the data was made for (--now, or the run's time)
    counts = models.JSONField(default=dict)  # rows made per table, and a few figures
    programme_id = models.IntegerField()  # the programme it made (not a foreign key: kept apart)
    made_at = models.DateTimeField()
    seconds = models.FloatField(default=0)  # how long the run took

    class Meta:
        verbose_name = "scale data run"

    def __str__(self):
        return f"scale data {self.arguments} ({self.made_at:%Y-%m-%d %H:%M})"
