"""The project's one way out: every e-mail, SMS and webhook goes through the outbox.

- ``outbox``: writing a message in the transaction of the change it reports (``email``, ``sms``,
  and ``webhook`` through ``events.notify``), and the worker that drains it (``flask outbox
  run``): claimed by a conditional UPDATE so several workers never send one message at once,
  retried with exponential back-off, never lost when SMTP or a receiver is down;
- ``events``: ``notify(session, event, payload)``, the events other systems can follow
  (``complaint.created``, ``complaint.status_changed``, ``complaint.escalated``,
  ``alert.raised``) and their payloads;
- ``webhooks``: endpoints, the HMAC-SHA256 signature and :func:`~survey.messaging.webhooks.verify`,
  the function a receiver uses; ``mail`` (SMTP) and ``sms`` (a provider interface, logging by
  default).

Nothing is sent inside a request. It may import the infrastructure at the top of :mod:`survey`,
the models and :mod:`survey.administration` (the audit log); never :mod:`survey.casework`,
:mod:`survey.collection`, :mod:`survey.reporting` or a blueprint.
"""
