"""Issue 33: the agreement's state is named (store/state.py) and decided in one place."""

import pytest

from pipeline.store.state import State, agreement_state

CASES = [
    # passes, signed, draft built from it, final built from it, a signed amendment -> state
    ((False, False, False, False, False), State.IN_PROGRESS),
    ((False, False, True, True, True), State.IN_PROGRESS),  # nothing counts until every rule passes
    ((True, False, False, False, False), State.CHECKED),
    ((True, False, True, False, False), State.DRAFT),
    ((True, False, True, True, False), State.FINAL),  # the final outranks the draft
    ((True, True, False, True, False), State.SIGNED),
    ((True, True, False, False, True), State.AMENDED),
]


@pytest.mark.parametrize("known, state", CASES)
def test_the_state_follows_from_what_is_known(known, state):
    passes, signed, draft, final, amended = known
    got = agreement_state(passes=passes, signed=signed, draft_current=draft, final_current=final, amended=amended)
    assert got is state


def test_each_state_has_its_words_in_both_languages():
    from pipeline.web.strings import UI

    for state in State:
        th, en = UI[state.value]
        assert th and en


def test_every_question_and_block_is_of_a_named_kind(built_examples):
    """Question kinds, block kinds and section parts are Literal types: every one in use is among them."""
    from typing import get_args

    from pipeline.questionnaire.answers import QuestionKind
    from pipeline.questionnaire.questions import QUESTIONS, SCREENING
    from pipeline.render.document import BlockKind, Part

    for q in list(QUESTIONS) + list(SCREENING):
        assert q.kind in get_args(QuestionKind), q.path
        assert all(f.kind in get_args(QuestionKind) for f in q.fields), q.path
    for built in built_examples.values():
        for section in built.agreement.sections:
            assert section.part in get_args(Part), section.id
            assert all(b.kind in get_args(BlockKind) for b in section.blocks), section.id
