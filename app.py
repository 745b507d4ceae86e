"""Entry point: `flask --app app run` and `gunicorn app:app` both find the app here."""

from quiz import create_app

app = create_app()
