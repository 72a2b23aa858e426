"""Where pre-annotation runs: `local` (nlp.pipe in this machine's processes, annotate.preannotate) or `ray`
(Ray Data over an archive's Parquet shards, on a local instance or a cluster). Ray is imported only here."""
