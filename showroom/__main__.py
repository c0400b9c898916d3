"""``python -m showroom`` runs the ``showroom`` command."""

import sys

from showroom.cli import main

sys.exit(main())
