from __future__ import annotations

from jobsync.cli import main

raise SystemExit(main())
