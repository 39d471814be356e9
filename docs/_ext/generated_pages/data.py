"""The data the site documents, read through the package's own loaders."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generated_pages.markdown import slug
from pakkeforlop.data import catalogue as catalogue_module
from pakkeforlop.data import codes as codes_module
from pakkeforlop.data import pathways as pathways_module
from pakkeforlop.data import schemas as registry_module
from pakkeforlop.data import traceability as traceability_module
from pakkeforlop.data.fixtures import RuleFixtures
from pakkeforlop.data.fixtures import load as load_fixtures
from pakkeforlop.data.locations import rules_dir, schemas_dir


@dataclass(frozen=True)
class SchemaFile:
    """One published schema file."""

    id: str
    file: Path
    rel: str  # path below schemas/, e.g. "v1/referral.schema.json"
    contents: Mapping[str, Any]

    @property
    def slug(self) -> str:
        """``v1/referral``, ``v1/codes/kodeverk-9321``, ``report/v1/report``."""
        return self.rel.removesuffix(".schema.json")

    @property
    def docname(self) -> str:
        return f"schemas/{self.slug}"

    @property
    def label(self) -> str:
        return "schema-" + self.slug.replace("/", "-").lower()

    @property
    def title(self) -> str:
        return str(self.contents.get("title") or self.slug)

    @property
    def group(self) -> str:
        return posixpath.dirname(self.rel)

    def def_label(self, name: str) -> str:
        return f"{self.label}-{slug(name)}"


@dataclass
class Data:
    """Everything the site documents, read through the package's loaders."""

    repo: Path
    schemas: dict[str, SchemaFile]
    code_systems: Mapping[str, codes_module.CodeSystem]
    pathways: Mapping[str, pathways_module.Pathway]
    anchors: Mapping[str, pathways_module.Anchor]
    rules: Mapping[str, catalogue_module.Rule]
    fixtures: Mapping[str, RuleFixtures]
    family_titles: dict[str, str]
    examples: dict[str, list[tuple[str, Any]]]  # schema $id -> [(where, document)]
    statements: Sequence[traceability_module.Statement]

    @classmethod
    def load(cls, repo: Path) -> Data:
        schemas: dict[str, SchemaFile] = {}
        root = schemas_dir()
        for path in sorted(root.rglob("*.schema.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            schemas[contents["$id"]] = SchemaFile(
                contents["$id"], path, path.relative_to(root).as_posix(), contents
            )
        published = set(registry_module.schema_ids())
        if set(schemas) != published:
            msg = f"schema files and registry disagree: {sorted(set(schemas) ^ published)}"
            raise RuntimeError(msg)
        rules = catalogue_module.catalogue()
        fixtures_dir = repo / "spec" / "fixtures"
        fixtures = load_fixtures(fixtures_dir) if fixtures_dir.is_dir() else {}
        return cls(
            repo=repo,
            schemas=dict(sorted(schemas.items(), key=lambda item: item[1].rel)),
            code_systems=codes_module.code_systems(),
            pathways=pathways_module.pathways(),
            anchors=pathways_module.anchors(),
            rules=rules,
            fixtures=fixtures,
            family_titles=_family_titles(),
            examples=_example_documents(repo / "examples" / "valid"),
            statements=traceability_module.load(repo / "spec" / "traceability.toml"),
        )

    def families(self) -> dict[str, list[catalogue_module.Rule]]:
        result: dict[str, list[catalogue_module.Rule]] = {}
        for rule in self.rules.values():
            result.setdefault(rule.family, []).append(rule)
        return dict(sorted(result.items()))


def _family_titles() -> dict[str, str]:
    """The first sentence of a rule file's header comment (``# Rule family X: ...``), by family."""
    titles = {}
    for path in sorted(rules_dir().glob("*.toml")):
        family, text = _family_header(path.read_text(encoding="utf-8"))
        if family:
            sentence = re.split(r"(?<=\.)\s", text.strip(), maxsplit=1)[0]
            titles[family] = sentence.removesuffix(".")
    return titles


def _family_header(toml: str) -> tuple[str | None, str]:
    """(family, text) of the header comment, read up to the end of its first sentence."""
    family, text = None, ""
    for line in toml.splitlines():
        if not line.startswith("#"):
            break
        comment = line.lstrip("#").strip()
        if family is None:
            match = re.match(r"Rule family\s+([A-Z]+)\s*:\s*(.*)$", comment)
            if match:
                family, text = match.group(1), match.group(2)
        elif comment:
            text += " " + comment
        else:
            break
        if family and (text.endswith(".") or ". " in text):
            break
    return family, text


def _example_documents(folder: Path) -> dict[str, list[tuple[str, Any]]]:
    """The documents of the bundled valid exports, by the schema each follows."""
    found: dict[str, list[tuple[str, Any]]] = {}
    if not folder.is_dir():
        return found
    for manifest_path in sorted(folder.glob("*/manifest.json")):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for schema_id, where, document in _export_documents(manifest_path.parent, manifest):
            found.setdefault(schema_id, []).append((where, document))
    return found


def _export_documents(export: Path, manifest: Any) -> list[tuple[str, str, Any]]:
    """(schema $id, where, document) of an export's manifest and of every file it declares."""
    where = f"examples/valid/{export.name}"
    documents = [(str(manifest.get("$schema")), f"{where}/manifest.json", manifest)]
    for entry in manifest.get("files", []):
        schema_id = registry_module.DOCUMENT_SCHEMAS.get(entry.get("kind", ""))
        path = export / str(entry.get("path", ""))
        if schema_id is None or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ndjson":
            documents.extend(
                (schema_id, f"{where}/{entry['path']} line {number}", json.loads(line))
                for number, line in enumerate(text.splitlines(), start=1)
                if line.strip()
            )
        else:
            documents.append((schema_id, f"{where}/{entry['path']}", json.loads(text)))
    return documents
