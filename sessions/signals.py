"""Signals sent by the attendance sheets, so that other apps (``reports`` seals a closed sheet)
react without ``sessions`` importing them. Both are sent inside the service's transaction."""

from django.dispatch import Signal

# A half-day's sheet was closed: ``slot`` (locked, with its day), ``user``.
sheet_closed = Signal()
# A closed sheet was reopened: ``slot``, ``user``.
sheet_reopened = Signal()
