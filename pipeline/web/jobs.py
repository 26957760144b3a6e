"""The server's one queue for LibreOffice: drafts, finals, the SLA of year N, amendments and the batch, built by the
warm pool's workers (or, with no pool, one at a time here), never by the request that asked. A request is answered at
once — queued, or done — and its page refreshes itself until the build is over. Each user has at most `PER_USER`
builds waiting or running, the office at most `MOST`; one more is told to wait. The same build asked twice (two
clicks, two people) is one job.

A job's work is a function of the office alone (no request, no session): its message is Thai and English together,
and the page picks the language when it shows it."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

PER_USER = 2
REFRESH = 1  # seconds between two looks of a page waiting for a build (a preview takes one or two)
MOST = 16
KEEP = 200  # finished jobs remembered (their message shown once on the agreement's page)


class State(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        return self in (State.QUEUED, State.RUNNING)


@dataclass
class Job:
    key: str  # what is built: "draft:NAME", "final:NAME", "sla:NAME:2", "amendment:NAME", "batch"
    user: str
    work: Callable[[], tuple[bool, str, object]]  # -> (ok, message "th / en", a result for the page)
    state: State = State.QUEUED
    message: str = ""
    result: object = None


class Refused(Exception):
    """Too many builds waiting: the user's own (`mine`) or the office's."""

    def __init__(self, mine: bool):
        super().__init__("user" if mine else "office")
        self.mine = mine


class Jobs:
    def __init__(self, workers: int):
        """`workers` threads take jobs from the queue (the pool's size: each hands its job to a warm worker); with
        none, jobs wait in the queue (the hostile-input fuzzing, which tests the requests, not the builds)."""
        self._queue: queue.Queue[Job] = queue.Queue()
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, name=f"mou-build-{k}", daemon=True) for k in range(workers)]
        for t in self.threads:
            t.start()

    def submit(self, key: str, user: str, work: Callable[[], tuple[bool, str, object]]) -> Job:
        """The job of that key if one is waiting or running, else a new one queued; Refused past the limits."""
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current.state.active:
                return current
            active = [j for j in self._jobs.values() if j.state.active]
            if sum(1 for j in active if j.user == user) >= PER_USER:
                raise Refused(mine=True)
            if len(active) >= MOST:
                raise Refused(mine=False)
            job = Job(key, user, work)
            self._jobs.pop(key, None)
            self._jobs[key] = job
            while len(self._jobs) > KEEP:  # the oldest finished ones forgotten
                oldest = next((k for k, j in self._jobs.items() if not j.state.active), None)
                if oldest is None:
                    break
                del self._jobs[oldest]
        self._queue.put(job)
        return job

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def take(self, key: str) -> Job | None:
        """A finished job, forgotten once its page has shown its message; an active one stays."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and not job.state.active:
                del self._jobs[key]
            return job

    def active(self, prefix: str) -> list[Job]:
        with self._lock:
            return [j for k, j in self._jobs.items() if k.startswith(prefix) and j.state.active]

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            job.state = State.RUNNING
            try:
                ok, job.message, job.result = job.work()
                job.state = State.DONE if ok else State.FAILED
            except Exception as exc:  # noqa: BLE001 - a bug in one build is that build's failure, never the server's
                job.message = f"ข้อผิดพลาดภายใน / internal error: {type(exc).__name__}: {exc}"
                job.state = State.FAILED
