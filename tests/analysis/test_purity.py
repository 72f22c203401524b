"""``analysis`` is a pure statistics library: importing it loads no web framework."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import analysis
for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
    importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in {"flask", "sqlalchemy", "survey", "flask_sqlalchemy"})
print(",".join(loaded))
"""


def test_importing_analysis_and_every_submodule_loads_no_flask_sqlalchemy_or_survey():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""
