"""jobsync: git as the source of truth for DataArts Factory jobs, scripts and resources."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
