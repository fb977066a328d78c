"""Conformance probe: a token-gated Django app that reports session state.

Contract (all endpoints GET, JSON, ``Cache-Control: no-store``):

* Inert unless ``settings.CONFORMANCE_PROBE_TOKEN`` is non-empty, and every
  request must carry ``X-Conformance-Token: <token>``; otherwise 404 and
  nothing is read from or written to the session.
* A *probe session* holds the marker key ``_conformance_probe``. The probe
  only creates, touches or flushes sessions carrying that marker, and never
  reports the contents or expiry of any other session.
* ``start/?expiry=SPEC...`` starts (or restarts) a probe session, then applies
  each SPEC in order: ``int:N``, ``none``, ``datetime:N``, ``timedelta:N``.
  409 if a non-probe session is active; 400 on a bad SPEC.
* ``read/`` reads without modifying; ``touch/`` modifies; ``logout/`` flushes.
* ``settings/`` reports the Django version and every ``SESSION_*`` setting.

See ``state.py`` for the response fields of start/read/touch/logout.
"""
