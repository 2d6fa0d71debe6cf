"""Read a mapping file into IR (or diagnostics), and check it against a manifest."""

from __future__ import annotations

from dataclasses import dataclass, field

from aquadsl.diagnostics import Diagnostics
from aquadsl.targets import ir
from aquadsl.targets.parser import parse_text, read_source


@dataclass
class LoadResult:
    mapping: ir.Mapping | None
    diagnostics: Diagnostics
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.mapping is not None and not self.diagnostics.has_errors


def load_mapping(path: str) -> LoadResult:
    from aquadsl.targets.transformer import to_mapping

    text, diags = read_source(path)
    if text is None:
        return LoadResult(None, diags)
    tree, diags = parse_text(path, text)
    if tree is None:
        return LoadResult(None, diags, {path: text})
    return LoadResult(to_mapping(path, tree), diags, {path: text})


def check_path(path: str, manifest_path: str | None) -> LoadResult:
    """Parse ``path`` and, with a manifest, run every completeness check on it."""
    from aquadsl.targets.check import check_mapping
    from aquadsl.targets.manifest import ManifestError, load_manifest

    result = load_mapping(path)
    if result.mapping is None or manifest_path is None:
        return result
    try:
        manifest = load_manifest(manifest_path)
    except ManifestError as exc:
        result.diagnostics.error("AQS660", str(exc))
        return result
    from aquadsl.diagnostics import Diagnostics, sort_key

    found = check_mapping(result.mapping, manifest)
    result.diagnostics = Diagnostics(sorted([*result.diagnostics, *found], key=sort_key))
    return result
