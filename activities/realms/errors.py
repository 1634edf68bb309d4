"""Realm failures a user understands; none of them gets better by retrying."""

from temporalio.exceptions import ApplicationError


def bad_file(kind: str, message: str) -> ApplicationError:
    """`kind` is one of unsupported_file, corrupt_file, empty_file, unknown_file, invalid_sop."""
    return ApplicationError(message, type=kind, non_retryable=True)
