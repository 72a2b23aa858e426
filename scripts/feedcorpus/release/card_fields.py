"""What every column of a format-3 release means, for the card's Data fields section (one row per field)."""

from __future__ import annotations

DOCUMENT_FIELDS = (
    ("id", "string", "stable document id (`<outlet>-<post number>` for the seed feed)"),
    ("language", "string", "BCP-47 language of the text (`en`, `fr`)"),
    ("url", "string", "the article's URL in the feed"),
    ("title", "string", "the article's title"),
    ("source", "string", "the publisher"),
    ("published", "timestamp[us, UTC]", "publication time from the feed (null when the feed has none)"),
    ("text", "string", "title, a blank line, then the body paragraphs separated by blank lines"),
    (
        "entities",
        "list of {start, end, label, text, provenance, kb_id}",
        "gold spans: `start`/`end` are Python string offsets into `text` (end exclusive, "
        "`text[start:end] == entity.text`); `provenance` is what the annotator did with the prediction the span "
        "came from: `accepted`, `relabeled`, `resized` or `added`; `kb_id` the actor-registry id of an ARMED_GROUP "
        "(null otherwise or when unknown)",
    ),
    ("tokens", "list of string", "spaCy tokens of `text`, whitespace tokens left out"),
    ("ner_tags", "list of ClassLabel", "IOB2 tag of each token (names in the Labels section)"),
    (
        "sentences",
        "list of {start, end, token_start, token_end}",
        "each sentence's character range in `text` and token range in `tokens` (the `sentences` rows)",
    ),
    ("split", "string", "`train`, `validation` or `test`"),
    ("cluster", "string", "near-copy cluster (the smallest id of the documents sharing wire copy)"),
    ("fold", "int32", "cross-validation fold, whole clusters per fold (see Splits)"),
    ("annotators", "list of string", "Label Studio accounts whose annotations made the gold"),
    ("annotated_at", "timestamp[us, UTC]", "when the gold annotation was last updated"),
)
SENTENCE_FIELDS = (
    ("doc_id", "string", "the document (`id` in the default configuration)"),
    ("sentence", "int32", "the sentence's number in its document, from 0"),
    ("start", "int32", "the sentence's character offset in the document's `text`"),
    ("end", "int32", "the character offset where the sentence ends (exclusive)"),
    ("language", "string", "as the document's"),
    ("text", "string", "the sentence, `document.text[start:end]`"),
    ("tokens", "list of string", "the document's tokens in this sentence"),
    ("ner_tags", "list of ClassLabel", "their IOB2 tags"),
    (
        "entities",
        "list of {start, end, label, text, provenance, kb_id}",
        "as the document's, offsets relative to the sentence",
    ),
    ("split, cluster, fold", "", "as the document's"),
)
