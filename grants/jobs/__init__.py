"""Work done after the request: a job with a count of done and failed items, run in a
background thread by default or by an RQ worker when REDIS_URL is set."""
