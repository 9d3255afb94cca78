"""Allow ``python -m seminarkit``."""

from seminarkit.cli import main

raise SystemExit(main())
