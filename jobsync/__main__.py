from __future__ import annotations

from jobsync.cli.app import main

raise SystemExit(main())
