"""``python -m deploy``: ``make serve`` (see deploy/serve.py)."""

import sys

from deploy.serve import main

sys.exit(main())
