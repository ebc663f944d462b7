"""English dates for a Latvian audience: day before month and a 24-hour clock (15 March 2027),
as in the reminders, instead of Django's American "March 15, 2027"."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
