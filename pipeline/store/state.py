"""The states an agreement of a workspace goes through, named (the list page shows them; the CLI may too), and the
one function that decides which it is from what is known of it."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """The value is also the key of the state's words in the browser (`web/strings.UI`)."""

    IN_PROGRESS = "in_progress"  # answers missing, or a rule broken: กำลังกรอก
    CHECKED = "checked"  # passes every rule of `mou build`: รอนิติกรตรวจ
    DRAFT = "draft"  # ... and its draft is built from this very spec
    FINAL = "final"  # the batch built the final from this very spec
    SIGNED = "signed_state"  # the signing is recorded
    AMENDED = "amended"  # ... and a signed amendment of it too


# The state in words, as the browser's list and `mou status` say it.
WORDS: dict[State, tuple[str, str]] = {
    State.IN_PROGRESS: ("กำลังกรอก", "in progress"),
    State.CHECKED: ("รอนิติกรตรวจ (ผ่านกฎครบ)", "in review (passes every rule)"),
    State.DRAFT: ("รอนิติกรตรวจ สร้างร่างแล้ว", "in review, draft built"),
    State.FINAL: ("ฉบับจริง", "final"),
    State.SIGNED: ("ลงนามแล้ว", "signed"),
    State.AMENDED: ("ลงนามแล้ว มีการแก้ไขเพิ่มเติม", "signed, amended"),
}


def agreement_state(*, passes: bool, signed: bool, draft_current: bool, final_current: bool, amended: bool) -> State:
    """The state from what is known: whether it passes every rule, is signed, has a draft or a final built from its
    spec as it is, and a signed amendment."""
    if not passes:
        return State.IN_PROGRESS
    if signed:
        return State.AMENDED if amended else State.SIGNED
    if final_current:
        return State.FINAL
    return State.DRAFT if draft_current else State.CHECKED
