"""Stores do the I/O of the pipeline's data; stages take and return data.

- `documents`: the per-article JSON store (corpus/documents/<id>.json), validated on every write.
- `predictions`: one JSONL file per model version (corpus/predictions/<model-version>.jsonl).
The release store lives with the release stage (`feedcorpus.release.store`).
"""
