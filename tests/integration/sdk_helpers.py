"""What the tests do in Label Studio that the toolkit itself never does: act as annotators, through the SDK."""

from __future__ import annotations

from typing import Any

from feedcorpus.studio.client import NO_RETRY, Studio


def create_annotation(
    studio: Studio,
    task_id: int,
    result: list[dict[str, Any]],
    *,
    ground_truth: bool = False,
    was_cancelled: bool = False,
    completed_by: int | None = None,
    parent_prediction: int | None = None,
) -> int:
    """One annotation of a task; completed_by records it under an annotator's account."""
    given = {"completed_by": completed_by, "parent_prediction": parent_prediction}
    extra = {k: v for k, v in given.items() if v is not None}
    annotation = studio.client.annotations.create(
        task_id,
        result=result,
        ground_truth=ground_truth,
        was_cancelled=was_cancelled,
        request_options=NO_RETRY,
        **extra,
    )
    return int(annotation.id)


def ensure_user(studio: Studio, email: str, password: str) -> int:
    """The id of the account with this email, created when missing."""
    for user in studio.client.users.list():
        if user.email == email:
            return int(user.id)
    user = studio.client.users.create(username=email.split("@")[0], email=email, password=password)
    return int(user.id)


def task_predictions(studio: Studio, task_id: int) -> list[Any]:
    return list(studio.client.predictions.list(task=task_id))
