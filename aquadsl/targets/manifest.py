"""The probe's manifest: load and validate it, and answer questions about models, fields and keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField", "UUIDField", "GenericIPAddressField"}
INT_TYPES = {"IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
             "PositiveSmallIntegerField", "PositiveBigIntegerField", "AutoField", "BigAutoField",
             "SmallAutoField", "ForeignKey", "OneToOneField"}
KIND = {"DecimalField": "decimal", "FloatField": "float", "DateField": "date", "DateTimeField": "datetime",
        "BooleanField": "bool", "NullBooleanField": "bool", "JSONField": "json"}


class ManifestError(ValueError):
    """A manifest that cannot be read or is not a probe's output."""


def field_kind(field: dict) -> str:
    t = field["type"]
    if t in TEXT_TYPES:
        return "text"
    if t in INT_TYPES:
        return "int"
    return KIND.get(t, "other")


@dataclass(frozen=True)
class Manifest:
    data: dict

    @property
    def models(self) -> dict[str, dict]:
        return self.data["models"]

    def model(self, label: str) -> dict | None:
        return self.models.get(label)

    def field(self, label: str, name: str) -> dict | None:
        """A field by name, or by column (``site_id``)."""
        model = self.model(label) or {}
        for f in model.get("fields", []):
            if name in (f["name"], f["column"]):
                return f
        return None

    def field_names(self, label: str) -> list[str]:
        return [f["name"] for f in (self.model(label) or {}).get("fields", [])]

    def unique_sets(self, label: str) -> list[frozenset[str]]:
        """Field-name sets that identify one row (unique fields, unique_together, total UniqueConstraints)."""
        model = self.model(label) or {}
        sets = [frozenset([f["name"]]) for f in model.get("fields", []) if f["unique"] or f["primary_key"]]
        sets += [frozenset(c["fields"]) for c in model.get("constraints", []) if c["kind"] == "unique"]
        return sets

    def labels_by_table(self) -> dict[str, str]:
        return {m["db_table"]: label for label, m in self.models.items()}


def load_manifest(path: str) -> Manifest:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"cannot read the manifest '{path}': {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"'{path}' is not a manifest (not JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format_version") != 1 or not isinstance(data.get("models"), dict):
        raise ManifestError(f"'{path}' is not a manifest written by `aquadsl target probe` (format_version 1)")
    return Manifest(data)


def dumps_manifest(data: dict) -> str:
    """The canonical manifest text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, sort_keys=True, indent=2) + "\n"
