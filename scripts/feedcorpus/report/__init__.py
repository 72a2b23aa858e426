"""`feedcorpus report`: a static HTML report of a release, its Label Studio snapshot and prediction sets.

One folder that opens from disk: no server, no JavaScript library, nothing fetched from the internet (every
page carries a Content-Security-Policy that forbids it). `load` gathers the data into `model` dataclasses;
`index_page`, `document_page` and `disagreements_page` turn them into HTML (charts from `svg`, the diff of
a prediction set against gold from `diff`); `write` puts the pages on disk. Every value that comes from a
feed or an export is escaped where it reaches HTML.
"""
