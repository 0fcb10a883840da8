"""Celery entry point: ``celery -A celery_worker worker`` / ``celery -A celery_worker beat``."""
from registry import create_app

app = create_app()
celery_app = app.extensions["celery"]
