"""``python -m jb_watchdesk.simulator``: the simulator without the rest of the command line."""

from __future__ import annotations

import sys

from jb_watchdesk.simulator.server import main

if __name__ == "__main__":
    sys.exit(main())
