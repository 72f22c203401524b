"""Every ``flask --app wsgi …`` command: one module per group, all joined by :func:`register`.

A command parses its options, calls a service (which validates, audits and flushes), commits,
and prints. It never writes the database itself, and never decides who may see what.
"""

from __future__ import annotations

from flask import Flask

from survey.commands import (
    audit,
    backup,
    complaints,
    demo,
    instruments,
    integrity,
    jobs,
    keys,
    kiosks,
    outbox,
    procedures,
    qr,
    report,
    reporting,
    responses,
    targets,
    users,
    volumes,
)

GROUPS = (audit, backup, complaints, demo, instruments, integrity, jobs, keys, kiosks, outbox, procedures, qr,
          report, reporting, responses, targets, users, volumes)


def register(app: Flask) -> None:
    for module in GROUPS:
        app.cli.add_command(module.command)
