"""Signals between domains that must not import each other.

Courses and attendance announce that a household's progress changed; certificates, which
build on both, listen and issue a certificate when the programme is complete. Certificates
announce issues and revocations; activation, which builds on certificates, flags the accounts
to review.
"""

from blinker import Namespace

signals = Namespace()

#: sent with ``household_id`` after lesson progress, a quiz result or an attendance mark changed
progress_changed = signals.signal("progress-changed")

#: sent with ``household_id`` when one of the household's certificates was revoked, and when a
#: certificate was issued to it; sent before the certificate service commits, so listeners
#: (activation: accounts to review) change the same transaction
certificate_revoked = signals.signal("certificate-revoked")
certificate_issued = signals.signal("certificate-issued")
