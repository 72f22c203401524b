"""``python -m analysis``: the analyst command line of SPEC §5.

``indices`` reads a response CSV and prints satisfaction, component indices, ``sipas``, optional
post-stratified estimates and verdicts per group (and every item's rate with ``--items``);
``rank`` prints the ranking of units by their shrunken rate with rank intervals
(:mod:`analysis.tool.rank`); ``plan`` prints sample sizes. Bad input ends
with exit status 2 and one line naming the row and the column; rows are numbered as in a
spreadsheet, the header being row 1.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from typing import IO, Any, NoReturn

from analysis.composite import SIPAS_COMPONENTS
from analysis.planning import sample_size_margin, sample_size_target
from analysis.tool.csvio import InputError, read_responses
from analysis.tool.rank import DRAWS, SEED, build_rankings
from analysis.tool.report import Options, build_groups, dossier_totals
from analysis.tool.volumes import VolumesError, read_volumes

__all__ = ["main"]

LABELS = {
    "satisfaction": "Hài lòng chung / Overall satisfaction",
    "access": "Tiếp cận dịch vụ / Access",
    "procedure": "Thủ tục hành chính / Procedure",
    "staff": "Công chức phục vụ / Staff",
    "result": "Kết quả giải quyết / Result",
    "feedback": "Tiếp nhận góp ý / Feedback handling",
    "sipas": "Chỉ số SIPAS / SIPAS index",
    "weighted": "Theo số hồ sơ / Weighted to dossiers",
}
STATUS = {"met": "đạt / met", "not_met": "không đạt / not met",
          "inconclusive": "chưa kết luận được / inconclusive",
          "insufficient": "chưa đủ dữ liệu / insufficient data"}


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{self.prog}: {message}")


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not within [0, 1]")
    return value


def _level(text: str) -> float:
    value = float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 1")
    return value


def _parser() -> Parser:
    parser = Parser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    ind = sub.add_parser("indices", help="indices with confidence intervals per group")
    ind.add_argument("responses", help="response CSV (SPEC §3)")
    ind.add_argument("--by", action="extend", nargs="+", default=[], metavar="COLUMN")
    ind.add_argument("--period", choices=("year", "half", "quarter", "month"))
    ind.add_argument("--level", type=_level, default=0.95)
    ind.add_argument("--target", type=_fraction)
    ind.add_argument("--operator", choices=(">=", ">"))
    ind.add_argument("--min-n", type=int, default=30)
    ind.add_argument("--volumes", metavar="VOLUMES.csv")
    ind.add_argument("--items", action="store_true",
                     help="also every item's rate with its Wilson interval")
    ind.add_argument("--format", choices=("json", "csv", "table"), default="json")
    rank = sub.add_parser("rank", help="ranking of units by shrunken rate, with rank intervals")
    rank.add_argument("responses", help="response CSV (SPEC §3)")
    rank.add_argument("--by", action="extend", nargs="+", default=[], metavar="COLUMN",
                      help="columns that make separate rankings (units are unit_code)")
    rank.add_argument("--period", choices=("year", "half", "quarter", "month"))
    rank.add_argument("--level", type=_level, default=0.95)
    rank.add_argument("--min-n", type=int, default=30)
    rank.add_argument("--draws", type=int, default=DRAWS)
    rank.add_argument("--seed", type=int, default=SEED)
    rank.add_argument("--format", choices=("json", "csv", "table"), default="table")
    plan = sub.add_parser("plan", help="sample sizes")
    plan.add_argument("--rate", type=_fraction, required=True, help="expected rate p")
    plan.add_argument("--margin", type=float, help="wanted half-width e (e.g. 0.05)")
    plan.add_argument("--target", type=_fraction, help="threshold t to show the rate above")
    plan.add_argument("--power", type=_level, default=0.8)
    plan.add_argument("--level", type=_level, default=0.95)
    plan.add_argument("--format", choices=("json", "table"), default="table")
    return parser


def _open(path: str) -> IO[str]:
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror})") from None


def indices(args: argparse.Namespace, out: IO[str]) -> None:
    if args.operator is not None and args.target is None:
        raise InputError("--operator needs --target")
    if args.min_n < 0:
        raise InputError(f"--min-n must be >= 0, got {args.min_n}")
    options = Options(level=args.level, period=args.period, target=args.target,
                      operator=args.operator or ">=", min_n=args.min_n, items=args.items)
    volumes = None
    if args.volumes is not None:
        with _open(args.volumes) as stream:
            try:
                volumes = dossier_totals(read_volumes(stream), args.period)
            except VolumesError as exc:
                raise InputError(f"volumes {exc}") from None
    with _open(args.responses) as stream:
        layout, acc, units = read_responses(stream, by=args.by, period=args.period,
                                            strata_by_unit=volumes is not None)
    groups = build_groups(layout, acc, units, options, volumes)
    if args.format == "json":
        out.write(json.dumps({"level": args.level, "groups": groups}, ensure_ascii=False,
                             allow_nan=False))
        out.write("\n")
    elif args.format == "csv":
        _write_csv(groups, out)
    else:
        _write_table(groups, args.level, out)


def _flatten(group: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = dict(group["by"])
    row["n"] = group["n"]
    blocks = {"satisfaction": group["satisfaction"], **group["components"],
              "sipas": group["sipas"]}
    if "weighted" in group:
        blocks["weighted"] = group["weighted"]
    blocks.update({f"item.{key}": block for key, block in group.get("items", {}).items()})
    for name, block in blocks.items():
        fields = ("estimate", "ci_low", "ci_high",
                  "coverage" if name == "weighted" else "n", "method")
        for f in fields:
            row[f"{name}_{f}"] = "" if block is None else block[f]
    if "verdict" in group:
        for f in ("status", "threshold", "operator", "responses_needed"):
            value = group["verdict"][f]
            row[f"verdict_{f}"] = "" if value is None else value
    return row


def _write_csv(groups: list[dict[str, Any]], out: IO[str]) -> None:
    rows = [_flatten(g) for g in groups]
    if not rows:
        return
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _pct(block: dict[str, Any] | None) -> str:
    if block is None:
        return "—"
    extra = (f"phủ / coverage {100 * block['coverage']:.1f} %" if "coverage" in block
             else f"n={block['n']}")
    return (f"{100 * block['estimate']:5.1f} %  [{100 * block['ci_low']:.1f} – "
            f"{100 * block['ci_high']:.1f}]  {extra}")


def _write_table(groups: list[dict[str, Any]], level: float, out: IO[str]) -> None:
    out.write(f"Chỉ số hài lòng, khoảng tin cậy {100 * level:g} % / "
              f"Satisfaction indices, {100 * level:g} % confidence intervals\n")
    for group in groups:
        label = ", ".join(f"{k}={v}" for k, v in group["by"].items()) or "tất cả / all"
        out.write(f"\n{label} · số phiếu / responses: {group['n']}\n")
        lines = [("satisfaction", group["satisfaction"])]
        lines += [(c, group["components"][c]) for c in SIPAS_COMPONENTS]
        lines.append(("sipas", group["sipas"]))
        if "weighted" in group:
            lines.append(("weighted", group["weighted"]))
        for name, block in lines:
            out.write(f"  {LABELS[name]:<40} {_pct(block)}\n")
        for key, block in group.get("items", {}).items():
            out.write(f"    {'câu / item ' + key:<38} {_pct(block)}\n")
        if "verdict" in group:
            v = group["verdict"]
            more = ("" if v["responses_needed"] is None
                    else f"; cần thêm / needs {v['responses_needed']} phiếu / more answers "
                         "(khoảng 1/2 khả năng kết luận / about an even chance of a decision)")
            out.write(f"  Mục tiêu / Target {v['operator']} {100 * v['threshold']:g} %: "
                      f"{STATUS[v['status']]}{more}\n")


def rank(args: argparse.Namespace, out: IO[str]) -> None:
    if args.min_n < 0:
        raise InputError(f"--min-n must be >= 0, got {args.min_n}")
    if args.draws < 100:
        raise InputError(f"--draws must be at least 100, got {args.draws}")
    by = ["unit_code", *(c for c in args.by if c != "unit_code")]
    with _open(args.responses) as stream:
        layout, acc, _units = read_responses(stream, by=by, period=args.period,
                                             strata_by_unit=False)
    rankings = build_rankings(layout, acc, level=args.level, min_n=args.min_n, draws=args.draws,
                              seed=args.seed, period=args.period is not None)
    if args.format == "json":
        out.write(json.dumps({"level": args.level, "draws": args.draws, "seed": args.seed,
                              "min_n": args.min_n, "rankings": rankings},
                             ensure_ascii=False, allow_nan=False) + "\n")
        return
    if args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        keys = list(rankings[0]["by"]) if rankings else []
        writer.writerow([*keys, "unit_code", "rank", "tied", "rank_low", "rank_high", "shrunk",
                         "raw", "satisfied", "n"])
        for ranking in rankings:
            for u in ranking["units"]:
                writer.writerow([*ranking["by"].values(), u["unit_code"], u["rank"],
                                 int(u["tied"]), u["rank_low"], u["rank_high"], u["shrunk"],
                                 u["raw"], u["satisfied"], u["n"]])
            for u in ranking["not_ranked"]:
                writer.writerow([*ranking["by"].values(), u["unit_code"], "", "", "", "", "",
                                 "", "", u["n"]])
        return
    out.write(f"Xếp hạng theo tỷ lệ hài lòng đã hiệu chỉnh, khoảng hạng {100 * args.level:g} % / "
              f"Ranking by shrunken satisfaction, {100 * args.level:g} % rank intervals\n"
              "Khoảng hạng chồng nhau: chưa phân biệt được / overlapping intervals: not told "
              "apart\n")
    for ranking in rankings:
        label = ", ".join(f"{k}={v}" for k, v in ranking["by"].items()) or "tất cả / all"
        out.write(f"\n{label}\n")
        for u in ranking["units"]:
            tie = "=" if u["tied"] else " "
            out.write(f"  {tie}{u['rank']:>3}  [{u['rank_low']:>3} – {u['rank_high']:<3}]  "
                      f"{u['unit_code']:<16} {100 * u['shrunk']:5.1f} %  "
                      f"(thô / raw {100 * u['raw']:.1f} %, n={u['n']})\n")
        if ranking["not_ranked"]:
            codes = ", ".join(f"{u['unit_code']} (n={u['n']})" for u in ranking["not_ranked"])
            out.write(f"  chưa xếp hạng / not ranked (n < {args.min_n}): {codes}\n")


def plan(args: argparse.Namespace, out: IO[str]) -> None:
    if args.margin is None and args.target is None:
        raise InputError("plan needs --margin, --target or both")
    result: dict[str, Any] = {"rate": args.rate, "level": args.level}
    if args.margin is not None:
        if not 0.0 < args.margin < 1.0:
            raise InputError(f"--margin must be between 0 and 1, got {args.margin}")
        result["margin"] = args.margin
        result["n_for_margin"] = sample_size_margin(args.rate, args.margin,
                                                    confidence_level=args.level)
    if args.target is not None:
        if args.rate <= args.target:
            raise InputError(f"--rate {args.rate} must exceed --target {args.target}")
        result.update(target=args.target, power=args.power)
        result["n_for_target"] = sample_size_target(args.rate, args.target,
                                                    confidence_level=args.level, power=args.power)
    if args.format == "json":
        out.write(json.dumps(result) + "\n")
        return
    if "n_for_margin" in result:
        out.write(f"Cỡ mẫu để sai số ±{100 * args.margin:g} điểm ở tỷ lệ {100 * args.rate:g} % / "
                  f"answers for a ±{100 * args.margin:g}-point margin at {100 * args.rate:g} %: "
                  f"{result['n_for_margin']}\n")
    if "n_for_target" in result:
        out.write(f"Cỡ mẫu để chứng minh vượt {100 * args.target:g} % khi tỷ lệ là "
                  f"{100 * args.rate:g} % / answers to show a rate above {100 * args.target:g} % "
                  f"(power {100 * args.power:g} %): {result['n_for_target']}\n")


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, or 2 for bad input)."""
    stream = out if out is not None else sys.stdout
    try:
        args = _parser().parse_args(argv)
        buffer = io.StringIO()
        if args.command == "indices":
            indices(args, buffer)
        elif args.command == "rank":
            rank(args, buffer)
        else:
            plan(args, buffer)
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    stream.write(buffer.getvalue())
    return 0
