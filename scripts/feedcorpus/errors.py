"""Errors raised by the library; the CLI turns them into one-line messages and exit codes."""

from __future__ import annotations


class FeedcorpusError(Exception):
    """Base error: carries the file and the record it is about, so the message can name them."""

    def __init__(self, message: str, *, path: object | None = None, record: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.record = record

    def __str__(self) -> str:
        where = [str(p) for p in (self.path, self.record) if p]
        return ": ".join([*where, self.message])


class FeedError(FeedcorpusError):
    """A feed file that cannot be read or split."""


class DocumentError(FeedcorpusError):
    """A document that does not satisfy the document schema."""


class StoreError(FeedcorpusError):
    """A store that cannot be read as a whole (a shard of another schema version, a file that is not Parquet):
    never one item's problem, so it stops the run instead of skipping the item."""


class SpanError(FeedcorpusError):
    """A span whose offsets, text or label are wrong."""


class ModelError(FeedcorpusError):
    """A spaCy pipeline that cannot be loaded or used."""


class StudioError(FeedcorpusError):
    """Label Studio cannot be reached, refuses us, or answers something unexpected.

    `retryable` says whether sending the same request again can help (timeouts, 5xx, lost connections);
    `status_code` is the HTTP status when the server answered.
    """

    def __init__(
        self,
        message: str,
        *,
        path: object | None = None,
        record: str | None = None,
        retryable: bool = False,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, path=path, record=record)
        self.retryable = retryable
        self.status_code = status_code


class ReleaseError(FeedcorpusError):
    """A dataset release that cannot be built, or would overwrite a published one.

    `details` lists every problem when the message names only the first (the CLI shows them with --verbose).
    """

    def __init__(
        self, message: str, *, path: object | None = None, record: str | None = None, details: list[str] | None = None
    ) -> None:
        super().__init__(message, path=path, record=record)
        self.details = details or []
