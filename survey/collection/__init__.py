"""The citizen's answer: everything that writes a response, and what a response is answered on.

- ``responses``: the one write path (``record_response``): a response stored exactly once, a
  dossier counted once, for every channel;
- ``desks``: desk sessions, the dossier a desk has just served, told by the one-stop software
  and carried by the desk kiosk's next answer; the kiosk's "what did you come for" choices;
- ``dossiers``: a dossier code the citizen keys in at the kiosk, or its receipt's QR link, read
  as the dossier HMAC;
- ``kiosks``: enrolment of a desk tablet and its look-up on each answer;
- ``qrcodes``: revocable QR codes and their posters; ``signing``: the signed survey payloads and
  the dossier HMAC;
- ``instruments``: the questionnaires and their immutable versions;
- ``importing`` and ``exporting``: the SPEC §3 response CSV in and out;
- ``partitions``: the month partitions of the responses' tables on PostgreSQL, made ahead;
- ``retention``: the deletion of whole old months of responses, their cells with them;
- ``integrity``: flags on suspicious responses, and their reversible exclusion;
- ``cells``: the reporting cells, changed in the same transaction as every response they sum
  (recorded, answers added, excluded or included again, deleted by retention);
- ``complaints``: a citizen's phản ánh, kiến nghị filed from a survey channel (the offer on the
  phone's thanks page, :func:`~survey.collection.complaints.file_from_survey` for the kiosk),
  handed to :mod:`survey.casework` without the response.

It may import the infrastructure at the top of :mod:`survey`, the models and
:mod:`survey.administration` (the audit log, the access rule), :mod:`survey.messaging` and
:mod:`survey.casework`; never :mod:`survey.reporting` or a
blueprint.
"""
