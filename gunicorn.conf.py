"""gunicorn's settings for the portal, read from the directory gunicorn starts in (the
repository root, as the README's deployment command, bin/run and bin/smoke do).

A staff CSV export of every attendance row (a million at national scale) streams for longer
than gunicorn's default 30 s, after which a sync worker would be killed mid-file; 5 minutes
leaves room for that while a worker stuck for good is still replaced.
"""

timeout = 300
graceful_timeout = 30
