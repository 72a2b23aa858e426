"""Post-processing that encodes the guidelines (schemas/guidelines.md, "Rules applied to pre-annotations").

Each rule is one small function: (text, spans) → spans, applied in order to every document's predicted
spans. They fix what a statistical model cannot know from OntoNotes: words the guidelines exclude, titles
outside names, generic heads outside names, date ranges cut into dates, named operations as EVENT, named
facilities as FAC. Pattern spans (from the reference lists) are left alone by the rules that trim.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from feedcorpus.fileio import sha256_bytes
from feedcorpus.spans import Span

Rule = Callable[[str, list[Span]], list[Span]]

# Guidelines, NORP: kinds of actors and adjectives of regions or languages are not groups with a name.
EXCLUDED_NORP = {
    "islamist", "islamists", "radical islamist", "jihadist", "jihadists", "separatist", "separatists",
    "rebel", "rebels", "west african", "african", "western", "sahelian", "arabic", "french-speaking",
}  # fmt: skip
# Guidelines, DATE: vague stretches without a quantity or an anchor, and frequencies, are not dates.
VAGUE_DATES = {"years", "months", "weeks", "days", "day", "decades", "weekly", "daily", "monthly", "nightfall"}
TIME_ZONES = {"GMT", "UTC"}
TITLES = re.compile(
    r"^(?:(?:former|late|then|interim|transitional|junta|military|army|leader|head|chief|self-proclaimed|"
    r"President|Vice[- ]President|Prime Minister|Minister|Colonel|Col\.|General|Gen\.|Lieutenant|Lt\.|Captain|"
    r"Capt\.|Major|Commander|Sergeant|Sgt\.|Corporal|Chief|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Imam|Sheikh|Cheikh|Emir|"
    r"King|Queen|Pope|Senator|Ambassador|Spokesman|Spokeswoman|Judge|Prosecutor|Mayor|Governor)\s+)+"
)
GENERIC_HEADS = re.compile(r"(?:\s+[a-z][a-z'’-]*)+$")  # trailing lower-case words: "Wagner group", "UN refugee agency"
KEEP_WHOLE = {"Islamic State group"}  # AFP's fixed name, annotated whole (guidelines, span boundaries 6)
DATE_LEAD = re.compile(r"^(?:(?:between|from|since|until|only|early|late|mid-|the)\s*)+", re.I)
DATE_TAIL = re.compile(r"(?:\s+(?:morning|afternoon|evening|night))+$")
DATE_RANGE = re.compile(r"\s+(?:and|to|-|–)\s+")
# Capitalised words that make a name (a sentence's "The", "In", "At"… do not start one).
NAME_WORDS = r"(?:(?!(?:The|A|An|At|In|On|Near|From|To|Of|By|And|But|For|After|Before|During)\b)[A-Z][\w'’.-]*\s+)+"
FACILITY = re.compile(
    rf"\b{NAME_WORDS}(?:International\s+Airport|Airport|Air\s+Base(?:\s+\d+)?|Military\s+Base|Barracks|"
    r"Prison|Stadium|Bridge|Palace|Dam)\b|\bAir\s+Base\s+\d+\b"
)
EVENT = re.compile(rf"\bOperation\s+[A-Z][\w'’-]+\b|\b{NAME_WORDS}War\b")


def drop_excluded_words(text: str, spans: list[Span]) -> list[Span]:
    """NORP spans the guidelines exclude, vague DATE words, and time zones tagged ORG are dropped."""
    kept = []
    for span in spans:
        if span.label == "NORP" and span.text.casefold() in EXCLUDED_NORP:
            continue
        if span.label == "DATE" and span.text.casefold() in VAGUE_DATES:
            continue
        if span.label == "ORG" and span.text in TIME_ZONES:
            continue
        kept.append(span)
    return kept


def _cut(text: str, span: Span, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    return span._replace(start=start, end=end, text=text[start:end]) if start < end else None


def strip_titles(text: str, spans: list[Span]) -> list[Span]:
    """Titles and roles are outside PERSON: "Colonel Assimi Goïta" → "Assimi Goïta"."""
    result = []
    for span in spans:
        match = TITLES.match(span.text) if span.label == "PERSON" and span.source == "model" else None
        if match and match.end() < len(span.text) and span.text[match.end()].isupper():
            cut = _cut(text, span, span.start + match.end(), span.end)
            if cut is not None:
                span = cut
        result.append(span)
    return result


def strip_generic_heads(text: str, spans: list[Span]) -> list[Span]:
    """Lower-case heads stay outside names ("Wagner group" → "Wagner"); a name with no capital is dropped."""
    result = []
    for span in spans:
        if span.label in ("DATE", "EVENT") or span.text in KEEP_WHOLE:
            result.append(span)
            continue
        if not any(c.isupper() for c in span.text):
            continue  # "bush", "nomad camps", "defense ministry": not names
        match = GENERIC_HEADS.search(span.text)
        cut = _cut(text, span, span.start, span.start + match.start()) if match else span
        if cut is not None and any(c.isupper() for c in cut.text):
            result.append(cut)
    return result


def cut_credits(text: str, spans: list[Span]) -> list[Span]:
    """A photo credit "Jin Liangkuai /Xinhua" names a person, then an agency: the person ends at the slash."""
    result = []
    for span in spans:
        if span.label == "PERSON" and " /" in span.text:
            cut = _cut(text, span, span.start, span.start + span.text.index(" /"))
            if cut is not None:
                span = cut
        result.append(span)
    return result


def tidy_dates(text: str, spans: list[Span]) -> list[Span]:
    """ "early Tuesday" → Tuesday, "the morning of…"-style tails dropped, "between Friday and Saturday" → two
    dates (guidelines, hard cases: day ranges and run-on dates)."""
    result = []
    for span in spans:
        if span.label != "DATE" or span.source != "model":
            result.append(span)
            continue
        lead = DATE_LEAD.match(span.text)
        tail = DATE_TAIL.search(span.text)
        start = span.start + (lead.end() if lead else 0)
        end = span.start + (tail.start() if tail else len(span.text))
        pieces, cursor = [], start
        for match in DATE_RANGE.finditer(text, start, end):
            pieces.append((cursor, match.start()))
            cursor = match.end()
        pieces.append((cursor, end))
        for piece_start, piece_end in pieces:
            cut = _cut(text, span, piece_start, piece_end)
            if cut is not None and cut.text.casefold() not in VAGUE_DATES and any(c.isalnum() for c in cut.text):
                result.append(cut)
    return result


def _replace_with(spans: list[Span], found: list[Span]) -> list[Span]:
    kept = [s for s in spans if not any(s.start < f.end and f.start < s.end for f in found)]
    return sorted([*kept, *found], key=lambda s: (s.start, s.end))


def named_events(text: str, spans: list[Span]) -> list[Span]:
    """Named operations and wars are EVENT as a whole ("Operation Barkhane", "Mali War"), whatever the model
    called their parts."""
    return _replace_with(spans, [Span(m.start(), m.end(), "EVENT", m.group(), "rule") for m in EVENT.finditer(text)])


def named_facilities(text: str, spans: list[Span]) -> list[Span]:
    """Named facilities are FAC as a whole ("Diori Hamani International Airport", "Air Base 201"): the
    name's pieces the model tagged PERSON or GPE give way to one FAC span."""
    found = [Span(m.start(), m.end(), "FAC", m.group(), "rule") for m in FACILITY.finditer(text)]
    return _replace_with(spans, found)


def merge_adjacent_orgs(text: str, spans: list[Span]) -> list[Span]:
    """Two ORG spans separated by one space are one name ("United Nations" + "Office for the Coordination of
    Humanitarian Affairs"): an organisation's full name beats its parts."""
    result: list[Span] = []
    for span in spans:
        previous = result[-1] if result else None
        if previous and previous.label == span.label == "ORG" and text[previous.end : span.start] == " ":
            result[-1] = previous._replace(end=span.end, text=text[previous.start : span.end], source="rule")
        else:
            result.append(span)
    return result


RULES: tuple[Rule, ...] = (
    named_facilities,
    drop_excluded_words,
    strip_titles,
    cut_credits,
    strip_generic_heads,
    tidy_dates,
    named_events,
    merge_adjacent_orgs,
)


def apply_rules(text: str, spans: list[Span], rules: tuple[Rule, ...] = RULES) -> list[Span]:
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for rule in rules:
        ordered = sorted(rule(text, ordered), key=lambda s: (s.start, s.end))
    return ordered


def rules_sha256() -> str:
    """The rules' own code, hashed into the model version: a changed rule gives new predictions files."""
    return sha256_bytes(Path(__file__).read_bytes())
