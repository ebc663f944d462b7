"""Session reminders: the rules, the scan for due reminders, sending, the admin.

Imports run one way: ``scan`` (rules, the scan, staff's "send now": record the deliveries and
return what to send) <- ``delivery`` (claim, render, send) <- ``tasks`` (the Celery tasks and
the functions that hand recorded rows to them) <- ``admin`` and the ``send_due_reminders``
command. Nothing here imports ``tasks`` back, and this ``__init__`` imports nothing.
"""
