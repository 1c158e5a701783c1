"""Fault tests (issue 16, part 7; `make test-faults`, marker `faults`): real processes — the
task worker, gunicorn, PostgreSQL — killed with SIGKILL in the middle of their work, and what
the data and the users see afterwards. Every test runs on a throwaway PostgreSQL server of its
own (`dangjian.pgtest`), each step of a scenario in a process of its own (scenario.py)."""
