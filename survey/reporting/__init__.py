"""The read side: what dashboards, reports and the public page show, computed from responses.

It never writes, but for the issued reports: ``calendar`` (the reporting duties and their due
dates), ``publication`` (drafts, publishing that freezes a report, the PDF queue), ``documents``
(an issued report as a page to print) and ``pdf`` (Chromium's print-to-PDF in a subprocess).
``queries`` turns responses into per-group counts and sums in SQL; ``stats`` is
the one module that calls :mod:`analysis`; ``groups`` assembles a group's figures and verdicts;
``applicability`` says which statutory targets apply to a group; ``dashboards``, ``reports``,
``workbook`` and ``charts`` shape them for a page, a file or a picture; ``sectors`` says which
answers are a sector's (health, education) across the units, and ``sector_view`` builds the
sector departments' comparison of their units; ``privacy`` hides, for
roles below administrator, every figure of fewer than ``min_n`` answers (SPEC §6). It may import
:mod:`survey.administration` (the unit tree) and :mod:`survey.collection` (the instruments), never
the blueprints.
"""
