"""Workflows (申报流程): definitions as data, one engine that applies every action, and the Celery jobs that follow."""
