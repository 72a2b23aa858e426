"""The release in the formats NER code reads besides Parquet: spaCy DocBin and CoNLL-2003-style text.

spacy/{train,dev,test}.spacy hold Docs with the gold entities (aligned to tokens as the IOB2 tags are), so
`spacy train --paths.train …/train.spacy` works directly; conll/{split}.txt holds one "token tag" line per
token (whitespace tokens left out, as in `tokens`), a blank line between documents, each document opened by a
`-DOCSTART-` line naming it. Both are byte-identical for the same rows.
"""

from __future__ import annotations

from typing import Any

from feedcorpus.labels import LabelSchema
from feedcorpus.release.tokens import tokenizer

SPACY_NAMES = {"train": "train", "validation": "dev", "test": "test"}


def docbin_bytes(rows: list[dict[str, Any]]) -> bytes:
    import spacy
    from spacy.tokens import DocBin

    nlp = tokenizer()
    bin_ = DocBin(store_user_data=False)
    for row in rows:
        doc = nlp.make_doc(row["text"])
        spans = [doc.char_span(e["start"], e["end"], e["label"], alignment_mode="expand") for e in row["entities"]]
        doc.ents = spacy.util.filter_spans([s for s in spans if s is not None])
        bin_.add(doc)
    return bytes(bin_.to_bytes())


def conll_text(rows: list[dict[str, Any]], schema: LabelSchema) -> str:
    names = schema.tag_names()
    lines: list[str] = []
    for row in rows:
        lines.append(f"-DOCSTART- {row['id']}")
        lines.append("")
        lines += [f"{token} {names[tag]}" for token, tag in zip(row["tokens"], row["ner_tags"], strict=True)]
        lines.append("")
    return "\n".join(lines)
