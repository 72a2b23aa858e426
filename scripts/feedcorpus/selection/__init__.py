"""Choosing the next documents to annotate from a pre-annotated corpus or archive (`feedcorpus select`):
features of each document's predictions (features) and the choice itself (choose). The selection file and
its dataclasses are feedcorpus.selections; its store is stores.selections."""
