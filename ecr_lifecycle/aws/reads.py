"""The one read scheduler of every live command: per target and region, a bounded number of requests in flight
(a thread pool), a token bucket per API action, botocore's adaptive retries for throttling (``session.py``),
results in input order whatever order they finish in, and one line on the first permanent failure.

Default rates follow ECR's documented request-rate quotas, per account and Region: "Amazon ECR service quotas",
https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html (BatchGetImage: 2,000 per second).
The read actions below without a figure we could confirm there get a conservative rate; a target's
``read_rates`` (config) or ``--max-rps`` (flag) changes them, ``--concurrency`` the requests in flight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Requests per second per action (ECR's, then the other services' reads of ``in-use``). Conservative where the
# quota page gives no figure: the quota is shared with every other client of the account and Region.
DEFAULT_RATES: Mapping[str, float] = {
    "BatchGetImage": 2000.0,
    "DescribeImages": 100.0,
    "DescribeRepositories": 100.0,
    "GetLifecyclePolicy": 100.0,
    "ListImages": 100.0,
}
OTHER_RATE = 20.0  # any action not listed (ECS, Lambda, Batch, STS reads)
DEFAULT_CONCURRENCY = 16
MAX_CONCURRENCY = 100  # also the size of the clients' connection pools (session.py)


class RegistryReadError(Exception):
    """The registry could not be read completely (permissions, throttling after retries, ...). One line."""


@dataclass(frozen=True)
class ReadLimits:
    """How hard one target may be read: requests in flight, and requests per second per action."""

    concurrency: int = DEFAULT_CONCURRENCY
    rates: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    max_rps: float | None = None  # every action's rate (``--max-rps``: the flag beats the config)

    def rate(self, action: str) -> float:
        return self.max_rps or self.rates.get(action, OTHER_RATE)

    def for_target(self, overrides: Iterable[tuple[str, float]]) -> ReadLimits:
        """These limits with a target's ``read_rates`` over the defaults (``max_rps`` still beats both)."""
        return ReadLimits(self.concurrency, {**self.rates, **dict(overrides)}, self.max_rps)


class TokenBucket:
    """``rate`` tokens a second, at most one second's worth saved up (ECR refills continuously)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait_for = (1 - self._tokens) / self.rate
            time.sleep(wait_for)


class ReadScheduler:
    """One per target (account and Region): its clients' requests share its buckets and its pool."""

    def __init__(self, limits: ReadLimits | None = None) -> None:
        self.limits = limits or ReadLimits()
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()
        self._attached: set[int] = set()
        self.calls = 0  # API calls made (a paginator's page is one)
        self.sends = 0  # HTTP requests sent: calls plus botocore's retries

    @property
    def retries(self) -> int:
        return self.sends - self.calls

    def attach(self, client: Any) -> Any:
        """Route every request of ``client`` through this scheduler's buckets (retries too: they count against
        the same quota); returns the client."""
        if id(client) in self._attached:
            return client
        self._attached.add(id(client))
        client.meta.events.register("before-call", self._before_call)
        client.meta.events.register("before-send", self._before_send)
        return client

    def _bucket(self, action: str) -> TokenBucket:
        with self._lock:
            if action not in self._buckets:
                self._buckets[action] = TokenBucket(self.limits.rate(action))
            return self._buckets[action]

    def _before_call(self, **kwargs: Any) -> None:
        with self._lock:
            self.calls += 1

    def _before_send(self, event_name: str, **kwargs: Any) -> None:
        with self._lock:
            self.sends += 1
        self._bucket(event_name.rsplit(".", 1)[-1]).take()

    def map(
        self,
        work: Callable[[T], R],
        items: Sequence[T],
        what: Callable[[T], str],
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[R]:
        """``work`` on every item, ``concurrency`` at a time; the results in the order of ``items``. The first
        failure stops the rest and becomes one ``RegistryReadError``: ``cannot read <what(item)>: <why>``
        (botocore's own text names the API action)."""
        results: list[R | None] = [None] * len(items)
        done = 0
        with ThreadPoolExecutor(max_workers=max(1, min(self.limits.concurrency, len(items)))) as pool:
            index: dict[Future[R], int] = {pool.submit(work, item): i for i, item in enumerate(items)}
            pending: set[Future[R]] = set(index)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                # The lowest failed item among those finished: the same line for the same failure, mostly.
                failed = sorted(index[f] for f in finished if f.exception() is not None)
                if failed:
                    for f in pending:
                        f.cancel()
                    i = failed[0]
                    exc = next(f.exception() for f in finished if index[f] == i)
                    assert exc is not None
                    if isinstance(exc, RegistryReadError):
                        raise exc
                    from ecr_lifecycle.aws.session import describe_failure  # boto3's import only once reading

                    raise RegistryReadError(f"cannot read {what(items[i])}: {describe_failure(exc)}") from None
                for f in finished:
                    results[index[f]] = f.result()
                    done += 1
                    if progress is not None:
                        progress(what(items[index[f]]), done, len(items))
        return results  # type: ignore[return-value]  # every slot filled: a failure raised above


def per_target(work: Callable[[T], R], targets: Sequence[T], parallel: int = 4) -> list[R]:
    """``work`` for several targets at once (each has its own quota), the results in target order; the first
    target's failure (in that order) is the one raised."""
    if len(targets) <= 1:
        return [work(t) for t in targets]
    with ThreadPoolExecutor(max_workers=min(parallel, len(targets))) as pool:
        return list(pool.map(work, targets))
