"""``analysis`` is a pure statistics library: importing it loads no web framework, and its core
(every module directly under ``analysis/``) does no I/O. Files and the command line belong to
``analysis/tool/``, which may import the core; the core never imports it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import importlib, pkgutil, sys
import analysis
for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
    importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in {"flask", "sqlalchemy", "survey", "flask_sqlalchemy"})
print(",".join(loaded))
"""

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"
CORE = sorted(PACKAGE.glob("*.py"))
# `io` is imported by the interpreter itself, so sys.modules cannot tell whether the core uses
# it: the check reads the source instead.
IO_MODULES = frozenset({"csv", "io", "argparse", "json", "sys", "os", "pathlib"})
IO_CALLS = frozenset({"open", "print"})
ENTRY_POINT = "__main__.py"  # `python -m analysis` hands over to analysis.tool.cli


def violations(source: str, *, may_import_tool: bool = False) -> list[str]:
    """What a core module must not do, one line each with its line number."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imports = [[alias.name] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):  # `from x import y` may import module x.y
            base = node.module or ""
            if node.level:  # relative to the core: `from .tool import cli`, `from . import tool`
                base = ".".join(part for part in ("analysis", base) if part)
            imports = [[base, *(f"{base}.{alias.name}" for alias in node.names)]]
        else:
            imports = []
        for names in imports:
            if names[0].split(".")[0] in IO_MODULES:
                found.append(f"line {node.lineno}: imports {names[0]}")
            tool = [name for name in names if (name + ".").startswith("analysis.tool.")]
            if tool and not may_import_tool:
                found.append(f"line {node.lineno}: imports {tool[0]}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in IO_CALLS):
            found.append(f"line {node.lineno}: calls {node.func.id}()")
    return found


def test_importing_analysis_and_every_submodule_loads_no_flask_sqlalchemy_or_survey():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""


def test_the_core_is_every_module_directly_under_analysis():
    names = {path.name for path in CORE}
    assert {"__init__.py", "proportions.py", "composite.py", "periods.py", ENTRY_POINT} <= names
    assert not names & {"csvio.py", "stamps.py", "report.py", "cli.py", "volumes.py"}


@pytest.mark.parametrize("path", CORE, ids=lambda path: path.name)
def test_no_core_module_reads_files_or_the_terminal_or_imports_the_tool(path):
    source = path.read_text(encoding="utf-8")
    assert violations(source, may_import_tool=path.name == ENTRY_POINT) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import csv\n", "line 1: imports csv"),
        ("x = 1\nimport os.path\n", "line 2: imports os.path"),
        ("import numpy as np, io\n", "line 1: imports io"),
        ("from pathlib import Path\n", "line 1: imports pathlib"),
        ("from json import dumps as d\n", "line 1: imports json"),
        ("def f():\n    import sys\n", "line 2: imports sys"),
        ("import argparse\n", "line 1: imports argparse"),
        ("def f(p):\n    return open(p).read()\n", "line 2: calls open()"),
        ("print('n =', 3)\n", "line 1: calls print()"),
        ("from analysis.tool.csvio import read_responses\n",
         "line 1: imports analysis.tool.csvio"),
        ("import analysis.tool\n", "line 1: imports analysis.tool"),
        ("from .tool import cli\n", "line 1: imports analysis.tool"),
        ("from . import tool\n", "line 1: imports analysis.tool"),
        ("from analysis import proportion, tool\n", "line 1: imports analysis.tool"),
    ],
)
def test_the_check_catches_io_in_a_core_module(source, expected):
    assert violations(source) == [expected]


def test_the_check_lets_pure_code_through():
    source = ("import numpy as np\nfrom scipy import special\nimport analysis.toolbox\n"
              "from analysis.estimate import Estimate\nx = np.printoptions\nf.open()\n")
    assert violations(source) == []
