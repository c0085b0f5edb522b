"""Workspaces jobsync can plan against and apply to."""
