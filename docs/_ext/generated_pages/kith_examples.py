"""The KITH chapter's examples: official messages side by side with the JSON the kit maps them to.

Generated on every build by the kit's own reader and mapper (``pakkeforlop.kith``), so the page
shows what the kit does today, not what someone once wrote down. The messages are the official
examples of the standards archive; the kit does not ship them, so they are read from the copy
beside the checkout (``../shared/samples/sarepta-standarder``, as the tests read them). Where
that copy is absent, the bundled example of the same standard is shown instead, and the page
says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from lxml import etree

from pakkeforlop.kith import map_contents, read_message, read_xml_file

__all__ = ["section"]

ARCHIVE: Final = (
    "https://github.com/oslokommune/sarepta-standarder/blob/"
    "2cb26c1d767206428f7017bd599b405970d4b024/eksempel/"
)
#: Text nodes longer than this (Base64 attachments) are cut in the listing.
LONGEST_TEXT: Final = 400


@dataclass(frozen=True)
class Example:
    """One official example, where the archive has it, and the bundled stand-in."""

    standard: str
    folder: str  # below ../shared/samples/sarepta-standarder
    name: str
    archive_path: str  # below the archive's eksempel/
    bundled: str  # below examples/valid


EXAMPLES: Final = (
    Example(
        "Henvisning 2.0",
        "henvisning-2.0",
        "Henvisning_ny_tilstand_v2-0_Ny.xml",
        "Henvisning/Henvisning_v2-0/Henvisning_ny_tilstand_v2-0_Ny.xml",
        "kith-d11-phv-adults/henvisning.xml",
    ),
    Example(
        "Epikrise 1.2",
        "epikrise-1.2",
        "Epikrise_v1-2_Eksempel_Legevakt_Ny.xml",
        "epikrise/Epikrise_v1-2/Epikrise_v1-2_Eksempel_Legevakt_Ny.xml",
        "kith-d11-phv-adults/epikrise.xml",
    ),
)


def _listing(tree: Any) -> str:
    """The message as XML, with attachments and other long text nodes cut."""
    copy = etree.fromstring(etree.tostring(tree))
    for element in copy.iter():
        if isinstance(element.text, str) and len(element.text) > LONGEST_TEXT:
            element.text = element.text[:60] + " … (cut for the page)"
    return etree.tostring(copy, encoding="unicode")


def _fence(language: str, text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def _pair(example: Example, path: Path, origin: str) -> str:
    message = read_message(read_xml_file(path).tree, path.name)
    documents = map_contents(message)
    if not documents:
        return f"The kit mapped nothing from `{path.name}`."
    document = documents[0]
    verdict = (
        "in scope: the pathway rules check it"
        if document.scope.applies
        else "out of scope: only the KITH rules check it"
    )
    mapped = json.dumps(document.value, ensure_ascii=False, indent=2)
    return "\n\n".join(
        [
            f"### {example.standard}: `{path.name}`",
            f"{origin} Read as a {document.kind}; {verdict}, because {document.scope.reason}.",
            "::::{container} pf-side-by-side",
            f":::{{container}}\n**The message**\n\n{_fence('xml', _listing(message.tree))}\n:::",
            f":::{{container}}\n**The {document.kind} the kit maps it to**\n\n"
            f"{_fence('json', mapped)}\n:::",
            "::::",
        ]
    )


def section(repo: Path) -> str:
    """The chapter's last section: each example message beside its mapped JSON."""
    samples = repo.parent / "shared" / "samples" / "sarepta-standarder"
    parts = [
        "(spec-kith-examples)=",
        "## The official examples, mapped",
        "Generated when this site was built, by the kit's own reader and mapper: for an official "
        "Henvisning 2.0 and an official Epikrise 1.2 of the standards archive (fictitious "
        "persons, as their authors mark them), the message and the JSON document the tables "
        "above map it to. Both are out of the pathways' scope (a rheumatology referral and a "
        "urology discharge summary), so only the KITH rules would check them; the mapping is the "
        "same in scope.",
    ]
    for example in EXAMPLES:
        official = samples / example.folder / example.name
        if official.is_file():
            origin = f"From the archive: <{ARCHIVE}{example.archive_path}>."
            parts.append(_pair(example, official, origin))
        else:
            origin = (
                f"The archive's copy was not beside the checkout when this site was built, so this "
                f"is the bundled example `examples/valid/{example.bundled}`."
            )
            parts.append(_pair(example, repo / "examples" / "valid" / example.bundled, origin))
    return "\n\n" + "\n\n".join(parts) + "\n"
