"""``python -m talentgap`` runs the ``talentgap`` command."""

import sys

from talentgap.cli import main

sys.exit(main())
