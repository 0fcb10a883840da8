"""Celery entry point: ``celery -A celery_worker worker`` / ``celery -A celery_worker beat``.

The Flask app is named ``flask_app`` (not ``app``) so that Celery's app discovery finds ``celery_app``.
"""
from registry import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
