"""Use cases: each checks permission, validates, changes, commits, and raises registry.services.errors."""
