"""WSGI entry for gunicorn: ``gunicorn -c deploy/gunicorn.conf.py`` (or ``gunicorn registry.wsgi:app``)."""
from registry import create_app, logs

app = create_app()
logs.configure(app.config)  # the one logging configuration, also when gunicorn runs without deploy/gunicorn.conf.py
