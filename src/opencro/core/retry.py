"""Retry a whole transaction that PostgreSQL aborted to break a deadlock or a serialisation conflict.

Concurrent saves each take row locks and then the audit chain's head lock; PostgreSQL may pick one
of two colliding transactions as the victim (SQLSTATE 40P01/40001). Its work was rolled back in
full, so running it again is safe, and is what the database asks the client to do.
"""

import functools
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import OperationalError, connection

F = TypeVar("F", bound=Callable[..., Any])
RETRYABLE = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


def _retryable(exc: OperationalError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in RETRYABLE


def transaction_retry(attempts: int = 4) -> Callable[[F], F]:
    """Run the decorated service again (up to `attempts` times) when the database aborts it as above.

    Only at the outermost level: inside a caller's transaction the abort belongs to the caller.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(1, attempts + 1):
                outermost = not connection.in_atomic_block
                try:
                    return func(*args, **kwargs)
                except OperationalError as exc:
                    if not (outermost and _retryable(exc)) or attempt == attempts:
                        raise
                    time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311 - jitter, not security
            raise AssertionError("unreachable")

        return wrapper  # type: ignore[return-value]

    return decorate
