import shutil

import pytest

from pipeline.errors import LibraryError
from pipeline.library.clauses import PROJECT_ROOT, load_library

SPEC_SECTIONS = [
    "parties",
    "background",
    "objectives",
    "scope",
    "roles",
    "legal_basis",
    "budget",
    "instalments",
    "grant_conditions",
    "term",
    "joint_committee",
    "action_plan",
    "monitoring",
    "reporting",
    "personal_data",
    "procurement_assets",
    "repayment",
    "integrity",
    "force_majeure",
    "notices",
    "amendment",
    "termination",
    "disputes",
    "signatures",
    "annex_indicators",
    "annex_sla",
]


def test_every_spec_section_has_a_clause_for_each_model_that_uses_it(library):
    for sid in SPEC_SECTIONS:
        section = library.section(sid)
        for model in section.models:
            assert any(c.section == sid and model in c.models for c in library.clauses.values()), (sid, model)


def test_headings_match_spec(library):
    assert library.heading("annex_sla", "th") == "ภาคผนวก ข้อตกลงระดับการให้บริการ"
    assert library.heading("budget", "en") == "Budget and sources of funds"
    # SPEC §3 as issue 20 left it: the money flows as a grant paid out (เบิกจ่าย), not as the Budget Bureau's allocation
    assert library.heading("instalments", "th") == "การเบิกจ่ายเงินเป็นงวด"
    assert library.heading("disputes", "th") == "การระงับข้อพิพาทและกฎหมายที่ใช้บังคับ"
    assert library.heading("disputes", "en") == "Disputes and governing law"
    assert library.heading("integrity", "th") == "ความซื่อสัตย์สุจริตและการขัดกันแห่งผลประโยชน์"
    assert library.heading("procurement_assets", "en") == "Procurement and assets"
    assert library.heading("force_majeure", "th") == "เหตุสุดวิสัย"
    assert library.heading("notices", "th") == "การบอกกล่าว"
    assert library.labels["document"]["title"]["en"] == "Agreement"


def test_clause_files_name_their_id(tmp_path):
    root = tmp_path / "lib"
    shutil.copytree(PROJECT_ROOT / "clauses", root / "clauses")
    shutil.copytree(PROJECT_ROOT / "templates", root / "templates")
    (root / "clauses" / "term.yaml").rename(root / "clauses" / "term2.yaml")
    with pytest.raises(LibraryError, match="term"):
        load_library(root)


def test_every_choice_the_questionnaire_shows_reads_as_the_document_prints_it(library):
    """One table of words: the questionnaire's (and so the browser's) choices are the labels the clauses print."""
    from pipeline.questionnaire import questions

    groups = {
        "kind": questions.KINDS,
        "party": questions.PARTIES,
        "frequency": questions.FREQ,
        "model": questions.MODELS,
        "source": questions.SOURCES,
        "role": questions.ROLES,
        "data_role": questions.DATA_ROLES,
    }
    shown = 0
    for group, choices in groups.items():
        for value, th, en in choices:
            assert (th, en) == (library.labels[group][value]["th"], library.labels[group][value]["en"]), (group, value)
            shown += 1
    evaluation = library.labels["evaluation"]
    assert dict((v, th) for v, th, _ in questions.AFTER)["midterm"] == evaluation["midterm_one"]["th"]
    assert dict((v, en) for v, _, en in questions.AFTER)["yearly 2"] == evaluation["yearly"]["en"].format(n=2)
    assert shown >= 23
    # and every choice question asks with these tables (none keeps words of its own)
    known = {c for t in [*groups.values(), questions.AFTER] for c in t}
    asked = 0

    def walk(qs):
        nonlocal asked
        for q in qs:
            if q.kind == "choice" and q.path not in ("screening.mission",):
                assert set(q.choices) <= known, q.path
                asked += 1
            walk(q.fields)

    walk(questions.QUESTIONS)
    assert asked >= 10
