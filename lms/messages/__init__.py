"""Messages to households and their consent: one outbox (Zalo ZNS, SMS brandname, in-app)
sent by jobs, idempotent, with consent checked before each send (DESIGN §4 rule 5, §5).

- ``models``: the outbox (``Message``) and the consent record (``Consent``);
- ``texts``: the message templates, one TOML file per message (Vietnamese, within ZNS and
  SMS limits); ``consent_texts``: the versioned texts a household agrees to;
- ``channels``: the providers behind one small interface (Zalo ZNS, eSMS.vn, in-app);
- ``services``: enqueueing, sending (claim, consent, quiet hours, rate limit, retries),
  consent, the periodic scans (reminders, expiring certifications), the delivery figures;
- ``triggers``: what the other domains call after their own change (flushed in their
  transaction; sent once it commits);
- ``tasks``: the Celery tasks; ``views``: the inbox, consent screens, the delivery screen.
"""
