from tests.core.test_rate_limits import redis_url  # noqa: F401
from tests.jobs_worker import job_worker, redis_job_worker  # noqa: F401
