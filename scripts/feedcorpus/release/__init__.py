"""Stage 5, export: Label Studio annotations → a versioned gold release (Parquet, Hugging Face layout, card).

gold (which annotation is gold) → provenance → tokens/splits → build (files in memory) → store (publish,
verify, changelog); card and manifest describe a build; compare diffs releases and checks rebuilds.
"""
