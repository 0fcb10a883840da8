"""Operations: readiness (/readyz), metrics (/metrics), the worker and beat heartbeats, backup and restore."""
