"""Test doubles for pure-logic unit tests. They never replace an integration test against the real server."""
