"""Stage 3, Label Studio: the local server, the SDK client behind a protocol, and the `push` stage.

Only `client` (the SDK) and `labelcheck` (the SDK's pure LabelInterface) import label_studio_sdk; `push`
and the export's snapshot pull talk to the `StudioApi` protocol, so their logic is tested with an
in-memory fake and proven against the real server by the integration tests.
"""
