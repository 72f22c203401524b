"""The analyst's tool around the pure statistics core: reading files and the command line.

This subpackage owns everything that touches files, streams and the terminal:

- reading the response CSV (SPEC §3) in chunks into per-group sums (:mod:`analysis.tool.csvio`,
  with the vectorised ``submitted_at`` dates of :mod:`analysis.tool.stamps`);
- reading the dossier volumes file, ``unit_code,period,dossiers[,dossiers_unsatisfied]``
  (:mod:`analysis.tool.volumes`, the one reader, also meant for the web app's import);
- turning those sums into the SPEC §5 result objects (:mod:`analysis.tool.report`);
- the SPEC §5 command line, ``python -m analysis`` (:mod:`analysis.tool.cli`).

It may import the core (the modules directly under :mod:`analysis`); the core never imports it.
"""
