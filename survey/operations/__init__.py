"""Province operations: the scheduled work and the record of outside indices.

- :mod:`~survey.operations.schedule`: when each job falls due (its *due key*: one local hour,
  day or month) and when it falls due next;
- :mod:`~survey.operations.jobs`: the jobs ``flask jobs run-due`` runs (integrity scan, case
  deadlines and reminders, the morning digest, the contact retention rule, the responses' month
  partitions on PostgreSQL, the audit chain's nightly check, the monthly alert evaluation, the
  report drafts of the reporting calendar: :mod:`survey.reporting.publication`), each a thin
  call to the service that owns the
  work; the ``job_run`` table makes each run once per due key, records failures and retries
  them a capped number of times;
- :mod:`~survey.operations.alerts`: the monthly evaluation of falling satisfaction (the
  change-point alert of :func:`survey.reporting.stats.detect_drop`), raised once per unit and
  period as ``alert.raised``;
- :mod:`~survey.operations.indices`: SIPAS, PAR INDEX, PAPI and PCI per year, entered or
  imported by an administrator, audited.

Nothing here sends anything: e-mails and webhooks go to the outbox (:mod:`survey.messaging`),
which ``flask outbox run`` drains. Services flush and never commit; the command commits after
each job. It may import :mod:`survey.casework`, :mod:`survey.collection`,
:mod:`survey.reporting` and :mod:`survey.administration`; no blueprint imports it but the
admin pages that show it.
"""
