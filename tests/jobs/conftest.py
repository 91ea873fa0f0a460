from tests.jobs_worker import job_worker, redis_job_worker  # noqa: F401
