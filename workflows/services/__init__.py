"""Workflow use cases: each takes primitives and the acting user, checks scope, changes, commits, raises domain errors."""
