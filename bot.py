"""Entry point: ``python bot.py run|demo|migrate|units import FILE``."""

import sys

from bot.cli import main

sys.exit(main())
