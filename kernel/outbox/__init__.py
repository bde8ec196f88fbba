"""The platform's transactional outbox: effects of a write (pokes, jobs) stored with it.

:class:`kernel.unit_of_work.UnitOfWork` writes the rows in the write's transaction and runs
them after commit; the worker's sweep runs those a crash left behind.
"""
