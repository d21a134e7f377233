"""Entry point: ``python bot.py run|demo|migrate|units import FILE``."""

import sys
from bot.cli import main  # noqa: E702,I001

sys.exit(main())
