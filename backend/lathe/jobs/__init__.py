"""Durable jobs: the queue (all its SQL in lathe.jobs.queue), the job-kind registry
(lathe.jobs.kinds), the context handlers get (lathe.jobs.context), and the worker that claims
jobs and runs each in a child process (lathe.jobs.worker). Services enqueue, cancel and read
jobs through lathe.jobs.service."""
