"""feedcorpus: news feeds → documents → spaCy pre-annotations → Label Studio → gold NER releases."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("feedcorpus")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
