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


# Release format 3: one analysis per document (release.analysis) feeds both writers.
DOCSTART = "-DOCSTART- -X- O O"  # the document delimiter spaCy's CoNLL converter recognises
DOCBIN_ATTRS = ["ORTH", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "SENT_START"]


def docbin_v3(docs: list[Any], rows: list[dict[str, Any]]) -> bytes:
    """DocBin of the analysed Docs (tokens, entities with kb_id, sentence starts) with each document's id,
    split, cluster, fold and language in `doc.user_data`."""
    from spacy.tokens import DocBin
    from srsly.msgpack import Packer

    # What DocBin(store_user_data=True).add does with user_data, with one Packer instead of one per document
    # (srsly builds each Packer from its encoder registry, an entry-point scan: a third of the DocBin time).
    packer = Packer(use_bin_type=True)
    bin_ = DocBin(attrs=DOCBIN_ATTRS, store_user_data=False)
    user_data = []
    for doc, row in zip(docs, rows, strict=True):
        doc.user_data = {key: row[key] for key in ("id", "split", "cluster", "fold", "language")}
        bin_.add(doc)
        user_data.append(packer.pack(doc.user_data))
    bin_.store_user_data, bin_.user_data = True, user_data
    return bytes(bin_.to_bytes())


def conll_v3(rows: list[dict[str, Any]], sentences: list[list[tuple[int, int]]], schema: LabelSchema) -> str:
    """Two columns (token, IOB2 tag); a blank line after each sentence; each document opened by DOCSTART and
    a blank line. The document ids are in the sidecar file (`conll_ids`), never in a column."""
    names = schema.tag_names()
    lines: list[str] = []
    for row, ranges in zip(rows, sentences, strict=True):
        lines += [DOCSTART, ""]
        tokens, tags = row["tokens"], row["ner_tags"]
        for first, end in ranges:
            for token, tag in zip(tokens[first:end], tags[first:end], strict=True):
                if len(token.split()) != 1:
                    raise ValueError(f"{row['id']}: token {token!r} cannot be one CoNLL column")
                lines.append(f"{token} {names[tag]}")
            lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")


def conll_ids(rows: list[dict[str, Any]]) -> str:
    """The sidecar of a CoNLL file: the id of its n-th document on line n."""
    return "".join(f"{row['id']}\n" for row in rows)
