"""``python -m jb_watchdesk`` runs the command line."""

from jb_watchdesk.cli import main

raise SystemExit(main())
