"""``flask --app wsgi reporting rebuild | verify``: the reporting cells against the responses.

``verify`` is the nightly check that every cell equals its recomputation from the responses
(exit status 1 and the differing cells otherwise); ``rebuild`` replaces every cell by it, after
a restore from backup or a bulk load that went past the write path.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import click
from flask.cli import AppGroup

from survey.extensions import db
from survey.reporting import rebuild

command = AppGroup("reporting", help="The reporting cells (the sums every figure reads).")


def _progress(started: float) -> Callable[[str], None]:
    return lambda text: click.echo(f"  {time.monotonic() - started:6.1f} s  {text}", err=True)


@command.command("rebuild")
def rebuild_command() -> None:
    """Recompute every cell from the responses, in one transaction."""
    started = time.monotonic()
    counts, items, problems = rebuild.rebuild(db.session, _progress(started))
    db.session.commit()
    click.echo(f"Đã tính lại {counts} ô đếm, {items} ô câu hỏi, {problems} ô vấn đề "
               f"trong {time.monotonic() - started:.1f} giây.")


@command.command("verify")
@click.option("--show", type=int, default=20, help="How many differing cells to print.")
def verify_command(show: int) -> None:
    """Compare every cell with its recomputation; exit status 1 when any differs."""
    started = time.monotonic()
    differences = rebuild.verify(db.session, _progress(started))
    db.session.rollback()
    if not differences:
        click.echo(f"Các ô khớp với câu trả lời ({time.monotonic() - started:.1f} giây).")
        return
    click.echo(f"{len(differences)} ô lệch so với câu trả lời:", err=True)
    for d in differences[:show]:
        click.echo(f"  {d.table} {d.key}: lưu {d.stored}, tính lại {d.recomputed}", err=True)
    click.echo("Chạy `flask reporting rebuild` để tính lại.", err=True)
    sys.exit(1)
