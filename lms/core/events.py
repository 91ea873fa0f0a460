"""Signals between domains that must not import each other.

Courses and attendance announce that a household's progress changed; certificates, which
build on both, listen and issue a certificate when the programme is complete.
"""

from blinker import Namespace

signals = Namespace()

#: sent with ``household_id`` after lesson progress, a quiz result or an attendance mark changed
progress_changed = signals.signal("progress-changed")
