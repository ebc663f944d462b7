"""The participant mail outbox: every mail to a participant is first a row in the database.

A service that changes a registration records the mail it causes (``record``) in the same
transaction, so a rolled-back change leaves no mail and a committed one never loses its mail.
After the commit a send task is kicked for the new row; if the broker is down that only logs,
and the beat task ``participants.drain_participant_mails`` (every minute) sends whatever is
still waiting once broker and workers are back. Senders claim rows with one conditional UPDATE
committed before any mail goes out (``delivery``), so a mail is sent by one sender only, and a
sent mail is never sent again.

Imports run one way: ``record`` -> ``tasks`` -> ``delivery`` -> the mail builders. Nothing here
imports ``participants.services`` or ``participants.views``.
"""
