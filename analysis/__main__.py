"""``python -m analysis``: see :mod:`analysis.tool.cli`."""

from analysis.tool.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
