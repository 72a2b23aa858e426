"""Stage 2, pre-annotation: a spaCy pipeline plus domain patterns turn documents into predicted spans."""
