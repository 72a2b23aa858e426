"""Stage 1, split: feed files (RSS/Atom XML, tag-stripped WordPress dumps) → one document per article."""
