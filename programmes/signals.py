"""Signals other apps listen to, so that ``programmes`` never imports them.

``application_selected`` is sent (inside the deciding transaction) when an application becomes
selected; ``participants`` turns its triad nominees into participants. ``application_deselected``
is sent when a selected application is moved to another status (waitlisted, rejected, withdrawn).
Both carry ``application`` and ``actor``.
"""

from django.dispatch import Signal

application_selected = Signal()
application_deselected = Signal()
