"""Setting up and governing the system: who and what exists, and who may see it.

- ``units``: the dated unit tree in memory (roll-ups that include merged predecessors, the
  province) and its audited writes;
- ``access``: the one visibility rule, asked by every view, export, report, command and API call;
- ``users``, ``targets``, ``procedures`` (the TTHC catalogue, sector groups), ``api_tokens``,
  ``volumes`` (dossier volumes);
- ``audit``: the hash-chained log every service writes to; ``backup``.

It may import the infrastructure at the top of :mod:`survey` and the models; never
:mod:`survey.collection`, :mod:`survey.reporting` or a blueprint.
"""
