"""The ML backend Label Studio calls (`feedcorpus serve`): predictions from the pre-annotator, retrained
from the project's annotations."""
