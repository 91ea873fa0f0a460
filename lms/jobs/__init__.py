"""Long work as Celery jobs: a row per job (who asked, what, state, progress, result file),
a worker that runs it, and the "Việc đang chạy" page that shows it."""
