import shutil

import pytest

from pipeline.errors import LibraryError
from pipeline.library import PROJECT_ROOT, load_library

SPEC_SECTIONS = ["parties", "background", "objectives", "scope", "roles", "legal_basis", "budget", "instalments",
                 "grant_conditions", "term", "joint_committee", "action_plan", "monitoring", "reporting", "personal_data",
                 "amendment", "termination", "disputes", "signatures", "annex_indicators", "annex_sla"]


def test_every_spec_section_has_a_clause_for_each_model_that_uses_it(library):
    for sid in SPEC_SECTIONS:
        section = library.section(sid)
        for model in section.models:
            assert any(c.section == sid and model in c.models for c in library.clauses.values()), (sid, model)


def test_headings_match_spec(library):
    assert library.heading("annex_sla", "th") == "ภาคผนวก ข้อตกลงระดับการให้บริการ"
    assert library.heading("budget", "en") == "Budget and sources of funds"


def test_clause_files_name_their_id(tmp_path):
    root = tmp_path / "lib"
    shutil.copytree(PROJECT_ROOT / "clauses", root / "clauses")
    shutil.copytree(PROJECT_ROOT / "templates", root / "templates")
    (root / "clauses" / "term.yaml").rename(root / "clauses" / "term2.yaml")
    with pytest.raises(LibraryError, match="term"):
        load_library(root)
