"""The one error a use case raises: a message for people and which exit class it belongs to."""

from __future__ import annotations

from enum import Enum


class Failure(Enum):
    INVALID = "invalid"  # the input's content is wrong (exit 1)
    USAGE = "usage"  # the request is wrong: flags, files, choices (exit 2)


class UseCaseError(Exception):
    def __init__(self, message: str, failure: Failure = Failure.USAGE) -> None:
        super().__init__(message)
        self.failure = failure
