"""What every page shares: escaping, the page frame and its style, tables, links, file names.

Each page declares a Content-Security-Policy that allows no network resource at all: inline styles, and
only the one script below (by its hash). So a report opened from disk fetches nothing, and text that
escaped escaping still could not run code.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from urllib.parse import quote, urlsplit

GENERATOR = "feedcorpus report"
NUM = ' class="num"'
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")

# Click a column header to sort by it (again to reverse). The table is already sorted without it.
SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, column) {
    th.tabIndex = 0;
    th.title = "Sort by this column";
    function key(row) {
      var cell = row.cells[column];
      return cell.getAttribute("data-sort") || cell.textContent.trim();
    }
    function sort() {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = Number(x), ny = Number(y);
        var order = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
    });
  });
});
"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode("utf-8")).digest()).decode("ascii")

CSS = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0;
       background: #f6f7f9; }
main { max-width: 1160px; margin: 0 auto; padding: 1rem 2rem 4rem; }
nav.top { background: #263238; color: #eceff1; padding: .6rem 2rem; }
nav.top a { color: #fff; margin-right: 1.2rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 .3rem; }
h2 { font-size: 1.25rem; margin: 0 0 .6rem; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 1rem 1.2rem;
          margin: 1rem 0; overflow-x: auto; }
.meta, .note { color: #555; }
table { border-collapse: collapse; margin: .5rem 0; font-size: 14px; }
th, td { border-bottom: 1px solid #e3e6ea; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { white-space: nowrap; }
table.sortable th { cursor: pointer; }
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
dl.figures { display: grid; grid-template-columns: max-content auto; gap: .2rem 1.2rem; margin: 0; }
dl.figures dt { font-weight: bold; }
dl.figures dd { margin: 0; }
svg.chart { max-width: 100%; height: auto; display: block; margin: .6rem 0; }
svg.chart .tick { fill: #666; }
.chip { display: inline-block; padding: .05rem .45rem; border-radius: .3rem; margin: .1rem .2rem .1rem 0;
        font-size: 13px; font-weight: bold; }
.absent { color: #999; }
details { margin: .6rem 0; }
summary { cursor: pointer; font-weight: bold; }
.entities { background: #fcfcfd; border: 1px solid #eee; padding: .4rem .8rem; border-radius: 4px; }
.context b { background: #fff3b0; }
"""


def esc(value: object) -> str:
    """Any value as inert HTML text (quotes too, so it is safe inside attributes)."""
    return escape(str(value), quote=True)


def safe_url(url: object) -> str | None:
    """An http(s) URL, else None: a feed's `javascript:` link must never become an href."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def studio_link(studio_url: str | None, project_id: int | None, task_id: int | None) -> str | None:
    """The task in Label Studio's data manager, when the server's URL and the task's project are known."""
    base = safe_url(studio_url)
    if base is None or project_id is None or task_id is None:
        return None
    return f"{base.rstrip('/')}/projects/{project_id}/data?task={task_id}"


def doc_file(doc_id: str) -> str:
    """The page's file name: the id when it is a plain name, else a slug and a hash (ids come from feeds)."""
    if _SAFE_NAME.match(doc_id) and doc_id not in (".", ".."):
        return f"{doc_id}.html"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", doc_id).strip("-.")[:60] or "document"
    return f"{slug}-{hashlib.sha256(doc_id.encode('utf-8')).hexdigest()[:10]}.html"


def doc_href(doc_id: str, *, prefix: str = "docs/") -> str:
    return esc(prefix + quote(doc_file(doc_id)))


def link(href: str | None, text: str, *, external: bool = False) -> str:
    """An <a> with escaped text; no href, plain text. `href` must already be escaped or built by us."""
    if href is None:
        return esc(text)
    rel = ' rel="noopener noreferrer" target="_blank"' if external else ""
    return f'<a href="{esc(href)}"{rel}>{esc(text)}</a>'


def td(content: str, *, sort: object = None, numeric: bool = False, css: str = "") -> str:
    """A cell of already-escaped HTML; `sort` is the value the sort script uses instead of the text."""
    data = f' data-sort="{esc(sort)}"' if sort is not None else ""
    kind = NUM if numeric else f' class="{esc(css)}"' if css else ""
    return f"<td{kind}{data}>{content}</td>"


def num(value: float | int, *, digits: int = 0) -> str:
    text = f"{value:.{digits}f}" if digits else f"{int(value)}"
    return td(text, sort=value, numeric=True)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    table_id: str | None = None,
    sortable: bool = False,
    numeric: Iterable[int] = (),
) -> str:
    """A table from escaped header texts and rows of td() cells."""
    right = set(numeric)
    head = "".join(f'<th{NUM if i in right else ""} scope="col">{h}</th>' for i, h in enumerate(headers))
    body = "".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    attrs = (f' id="{esc(table_id)}"' if table_id else "") + (' class="sortable"' if sortable else "")
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def ink(color: str) -> str:
    """Black or white text, whichever reads better on the background colour (#rrggbb)."""
    try:
        red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return "#000"
    return "#000" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#fff"


def chip(label: str, color: str) -> str:
    return f'<span class="chip" style="background: {esc(color)}; color: {ink(color)}">{esc(label)}</span>'


def legend(labels: Sequence[str], colors: Mapping[str, str]) -> str:
    return "".join(chip(label, colors.get(label, "#ddd")) for label in labels)


def page(title: str, body: str, *, root: str = "", script: bool = False) -> str:
    """A whole HTML page; `root` leads back to the report's folder from the page ("" or "../")."""
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    if script:
        policy += f"; script-src 'sha256-{SCRIPT_HASH}'"
    tail = f"<script>{SORT_SCRIPT}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f'<meta name="generator" content="{GENERATOR}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f'<body><nav class="top"><a href="{root}index.html">Report index</a>'
        f'<a href="{root}index.html#documents">Documents</a>'
        f'<a href="{root}disagreements.html">Disagreements</a></nav>\n'
        f"<main>{body}</main>{tail}</body></html>\n"
    )
