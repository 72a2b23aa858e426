"""The release store: annotations/vX.Y.Z/ folders, published all-or-nothing, never overwritten, verifiable.

A release is written to a hidden staging folder, renamed into place in one step, and its CHANGELOG entry
replaces the changelog atomically right after; if that fails, the rename is undone, so a release and its
entry exist together or not at all, and a retry after any failure succeeds. Staging left by a crash is
removed by the next publish.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from feedcorpus.errors import ReleaseError
from feedcorpus.fileio import atomic_write_text, sha256_bytes, sha256_file, umask
from feedcorpus.labels import LabelSchema
from feedcorpus.release.contracts import Built
from feedcorpus.release.manifest import manifest
from feedcorpus.release.parquet import FORMAT
from feedcorpus.release.versioning import VERSION, parse_version, version_name

STAGING = re.compile(r"^\.v\d+\.\d+\.\d+\.")  # mkdtemp(prefix=".vX.Y.Z.")
CHANGELOG_HEADER = """# Changelog of the gold releases

Versions follow semantic versioning, applied to data:
- **MAJOR**: the label set changes (a label added, removed, renamed or redefined; ClassLabel ids move), or
  the release format does (columns, or how documents are assigned to splits: splits may change).
- **MINOR**: documents or annotations are added.
- **PATCH**: corrections to existing annotations or metadata.

Releases are immutable: `feedcorpus export` refuses an existing version, and `feedcorpus versions` verifies
every file against its manifest. Newest first.
"""


def read_manifest(release_dir: Path) -> dict[str, Any]:
    path = release_dir / "manifest.json"
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"cannot read the manifest ({exc})", path=path) from exc
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise ReleaseError("not a release manifest (no 'files')", path=path)
    return data


def changelog_entry(data: dict[str, Any], note: str, changes: list[str] | None = None) -> str:
    docs = data["counts"]["documents"]
    entities = sum(sum(c.values()) for c in data["counts"]["entities"].values())
    return (
        f"## {data['version']} — {data['created_at'][:10]}\n"
        f"{sum(docs.values())} documents (train {docs['train']}, validation {docs['validation']}, "
        f"test {docs['test']}), {entities} entities; snapshot sha256 `{data['snapshot_sha256'][:16]}…`.\n"
        + (f"{note.strip()}\n" if note.strip() else "")
        + "".join(f"{line}\n" for line in changes or [])
    )


def with_entry(changelog: str | None, entry: str) -> str:
    """The changelog with a new entry on top (newest first)."""
    old = changelog if changelog is not None else CHANGELOG_HEADER
    head, marker, rest = old.partition("\n## ")
    body = f"{head.rstrip()}\n\n{entry}" + (f"\n## {rest}" if marker else "")
    return body.rstrip() + "\n"


class ReleaseStore:
    """annotations/: one immutable folder per version plus CHANGELOG.md."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def changelog(self) -> Path:
        return self.folder / "CHANGELOG.md"

    def releases(self) -> list[tuple[tuple[int, int, int], Path]]:
        found = []
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                match = VERSION.match(path.name)
                if path.is_dir() and match and path.name.startswith("v"):
                    found.append(((int(match[1]), int(match[2]), int(match[3])), path))
        return sorted(found)

    def release_dir(self, version: str | None) -> Path:
        """A release's folder: the version asked for, else the latest."""
        found = self.releases()
        if not found:
            raise ReleaseError("no release yet; run `feedcorpus export --version 1.0.0`", path=self.folder)
        if version is None:
            return found[-1][1]
        target = self.folder / version_name(version)
        if not target.is_dir():
            names = ", ".join(p.name for _, p in found)
            raise ReleaseError(f"no release {target.name} (releases: {names})", path=self.folder)
        return self.intact(target)

    def intact(self, release_dir: Path) -> Path:
        """The release folder, once every file its manifest lists matches its sha256: every command that reads a
        published release comes through here, so a damaged file (one flipped bit still decodes) stops it."""
        for relative, info in read_manifest(release_dir)["files"].items():
            path = release_dir / relative
            if not path.is_file():
                raise ReleaseError("missing; the release is damaged (`feedcorpus versions` checks it)", path=path)
            if sha256_file(path) != info.get("sha256"):
                raise ReleaseError(
                    "sha256 differs from manifest.json; the release is damaged (`feedcorpus versions` checks it)",
                    path=path,
                )
        return release_dir

    def check_bump(self, version: str, schema: LabelSchema, release_format: int = FORMAT) -> dict[str, str]:
        """Refuse a version that exists, goes backwards, or changes the label set or the release format (its
        columns and split policy) without a MAJOR bump.

        Returns the splits of the latest release of the same MAJOR version (documents keep their split);
        a new MAJOR version assigns splits afresh.
        """
        wanted = parse_version(version)
        existing = self.releases()
        if any(v == wanted for v, _ in existing):
            raise ReleaseError(f"release {version_name(version)} exists; versions are immutable, choose a new one")
        if not existing:
            return {}
        latest_version, latest = existing[-1]
        self.intact(latest)
        if wanted < latest_version:
            raise ReleaseError(f"{version_name(version)} is older than the latest release {latest.name}")
        previous = read_manifest(latest)
        same_major = wanted[0] == latest_version[0]
        changed = [
            what
            for what, differs in (
                ("the label schema", previous["label_schema"]["sha256"] != schema.sha256),
                ("the release format (columns, split policy)", int(previous.get("format", 1)) != release_format),
            )
            if differs
        ]
        if changed and same_major:
            raise ReleaseError(
                f"{' and '.join(changed)} changed since {latest.name}: that is a MAJOR version change "
                f"(next: v{latest_version[0] + 1}.0.0)"
            )
        return dict(previous.get("splits", {})) if same_major else {}

    def _clean_staging(self) -> None:
        """Remove what an interrupted publish left behind (hidden staging folders and temp files)."""
        for path in self.folder.iterdir():
            if path.is_dir() and STAGING.match(path.name):
                shutil.rmtree(path, ignore_errors=True)
        for path in self.folder.glob(".CHANGELOG.md.*.tmp"):
            path.unlink(missing_ok=True)

    def publish(self, built: Built, schema: LabelSchema, *, note: str = "", changes: list[str] | None = None) -> Path:
        """Write the release and its changelog entry: both or neither; an existing release is never touched."""
        target = self.folder / built.version
        if target.exists():
            raise ReleaseError(f"release {built.version} exists; versions are immutable", path=target)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._clean_staging()
            data = manifest(built, schema)
            if note.strip():
                data["note"] = note.strip()
            staging = Path(tempfile.mkdtemp(prefix=f".{built.version}.", dir=self.folder))
        except OSError as exc:
            reason = "not a folder" if self.folder.exists() and not self.folder.is_dir() else exc.strerror or exc
            raise ReleaseError(f"cannot write the release ({reason}); nothing was published", path=self.folder) from exc
        try:
            for relative, content in built.files.items():
                path = staging / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            (staging / "manifest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
            os.chmod(staging, 0o777 & ~umask())
            old = self.changelog.read_text("utf-8") if self.changelog.exists() else None
            os.rename(staging, target)  # fails if a non-empty target appeared meanwhile: never replaces a release
            try:
                atomic_write_text(self.changelog, with_entry(old, changelog_entry(data, note, changes)))
            except BaseException:
                os.rename(target, staging)
                raise
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ReleaseError(
                f"cannot write release {built.version} ({exc.strerror or exc}); nothing was published", path=self.folder
            ) from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target

    def verify(self, release_dir: Path) -> list[str]:
        """Problems found checking every file against the manifest (empty when the release is intact)."""
        data = read_manifest(release_dir)
        problems = []
        for relative, info in data["files"].items():
            path = release_dir / relative
            if not path.exists():
                problems.append(f"{relative}: missing")
            elif sha256_bytes(path.read_bytes()) != info["sha256"]:
                problems.append(f"{relative}: sha256 differs from the manifest")
        listed = set(data["files"]) | {"manifest.json"}
        for path in release_dir.rglob("*"):
            if path.is_file() and path.relative_to(release_dir).as_posix() not in listed:
                problems.append(f"{path.relative_to(release_dir).as_posix()}: not in the manifest")
        return problems
