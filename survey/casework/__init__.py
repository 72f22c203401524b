"""Phản ánh, kiến nghị: a citizen's complaint or petition, from receipt to its published outcome.

- ``cases``: the life of a case: received (from a survey, the desk, a letter, the 1022 line),
  routed to the responsible unit, tiếp nhận → đang xử lý → đã trả lời → đã đóng, or chuyển đơn
  vị khác back to Sở Nội vụ for routing; every change audited and raised as an event;
- ``deadlines``: working days (weekends, Vietnamese public holidays from the ``holidays``
  library, and the extra days off and make-up working days an administrator configures);
- ``contacts``: the citizen's contact details, sealed, apart from everything else, deleted
  after the retention period;
- ``notices``: what the handlers, Sở Nội vụ and the citizen are told (through the outbox);
- ``routine``: the timed jobs: escalation of overdue cases, reminders before a deadline,
  closing of answered cases, the daily digest, the retention purge;
- ``intake``: cases entered by staff and 1022 tickets imported (CSV or API), idempotent;
- ``publication``: the monthly public figures and the published, anonymised replies.

It may import the infrastructure at the top of :mod:`survey`, the models,
:mod:`survey.administration` (audit, access) and :mod:`survey.messaging`; never
:mod:`survey.collection`, :mod:`survey.reporting` or a blueprint. Survey answers are never read
here: a case filed from a comment carries a copy of the text, never the response.
"""
