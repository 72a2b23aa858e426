"""The report's pages rendered and put on disk: index.html, disagreements.html, docs/<id>.html.

Rendering is pure (`render_pages`); writing is atomic per file. Pages of documents no longer in the
release are removed from docs/, but only from a folder an earlier report wrote (its index.html says so),
never from some other folder that happens to have a docs/ in it.
"""

from __future__ import annotations

from pathlib import Path

from feedcorpus.fileio import atomic_write_text
from feedcorpus.report.diff import by_errors
from feedcorpus.report.disagreements_page import render_disagreements
from feedcorpus.report.document_page import render_document
from feedcorpus.report.index_page import render_index
from feedcorpus.report.layout import GENERATOR, doc_file
from feedcorpus.report.model import ReportData, ReportError


def render_pages(data: ReportData) -> dict[str, str]:
    """Relative path → HTML of every page of the report."""
    ordered = by_errors(data)
    pages = {"index.html": render_index(data, ordered), "disagreements.html": render_disagreements(data)}
    for position, item in enumerate(ordered):
        path = f"docs/{doc_file(item.document.id)}"
        if path in pages:
            raise ReportError(f"two documents would share the page {path}", record=item.document.id)
        pages[path] = render_document(data, ordered, position)
    return pages


def _ours(out: Path) -> bool:
    index = out / "index.html"
    try:
        return f'content="{GENERATOR}"' in index.read_text("utf-8")[:2000]
    except (OSError, UnicodeDecodeError):
        return False


def write_report(data: ReportData, out: Path) -> Path:
    """Write the report into `out` (created if needed); returns the path of its index.html."""
    pages = render_pages(data)
    stale = []
    if _ours(out) and (out / "docs").is_dir():
        stale = [p for p in (out / "docs").glob("*.html") if f"docs/{p.name}" not in pages]
    (out / "docs").mkdir(parents=True, exist_ok=True)
    for relative, html in pages.items():
        atomic_write_text(out / relative, html)
    for path in stale:
        path.unlink(missing_ok=True)
    return out / "index.html"
