"""The KITH chapter's generated examples: official messages beside the JSON the kit maps them to.

The section is made by ``docs/_ext/generated_pages/kith_examples.py`` at build time
(tests/test_docs.py builds the whole site); here it is generated directly and compared with the
kit's own mapping.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from pakkeforlop.kith import map_contents, read_message, read_xml_file

from .conftest import REPO_ROOT, shared_file

sys.path.insert(0, str(REPO_ROOT / "docs" / "_ext"))
import generated_pages.kith_examples as kith_pages  # the docs extension's module (docs/_ext)

FENCED = re.compile(r"(`{3,})(xml|json)\n(.*?)\n\1", re.DOTALL)


def _blocks(section: str) -> list[tuple[str, str]]:
    return [(match.group(2), match.group(3)) for match in FENCED.finditer(section)]


def _mapped(path: Path) -> dict:
    (document,) = map_contents(read_message(read_xml_file(path).tree, path.name))
    return document.value


def test_the_section_shows_each_official_example_beside_its_mapped_json():
    section = kith_pages.section(REPO_ROOT)
    assert "(spec-kith-examples)=" in section
    blocks = _blocks(section)
    assert [language for language, _ in blocks] == ["xml", "json", "xml", "json"]
    for example, (_, json_text) in zip(kith_pages.EXAMPLES, blocks[1::2], strict=True):
        official = shared_file("samples", "sarepta-standarder", example.folder, example.name)
        assert f"`{example.name}`" in section
        assert f"{kith_pages.ARCHIVE}{example.archive_path}" in section
        assert json.loads(json_text) == _mapped(official)
    assert "out of scope: only the KITH rules check it" in section


def test_attachments_are_cut_in_the_listing():
    path = shared_file(
        "samples",
        "sarepta-standarder",
        "henvisning-2.0",
        "Viderehenvisning_v2-0_Rettighetsvurdert_etter_ventetid_pakkeforlop_Ny.xml",
    )
    listing = kith_pages._listing(read_xml_file(path).tree)
    assert "(cut for the page)" in listing
    assert len(listing) < path.stat().st_size


def test_without_the_archives_copy_the_bundled_examples_stand_in(tmp_path):
    repo = tmp_path / "checkout"
    repo.mkdir()
    (repo / "examples").symlink_to(REPO_ROOT / "examples", target_is_directory=True)
    section = kith_pages.section(repo)
    assert section.count("was not beside the checkout") == 2
    (_, referral), (_, epicrisis) = _blocks(section)[1::2]
    bundled = REPO_ROOT / "examples" / "valid" / "kith-d11-phv-adults"
    assert json.loads(referral) == _mapped(bundled / "henvisning.xml")
    assert json.loads(epicrisis) == _mapped(bundled / "epikrise.xml")
    assert "in scope: the pathway rules check it" in section


@pytest.mark.parametrize("text", ["no backticks", "one ` two `` three ``````"])
def test_a_fence_is_longer_than_any_run_of_backticks_in_its_text(text):
    fenced = kith_pages._fence("json", text)
    fence = fenced.split("\n", 1)[0].removesuffix("json")
    assert len(fence) > max((len(run) for run in re.findall(r"`+", text)), default=2)
