"""Two people saving the same page: a page posted from an older version is merged onto what was saved since,
question by question, and a table row by row and column by column; what both changed to different values is a clash
for the person to choose. Nothing is lost either way."""

from __future__ import annotations

import copy

from pipeline.questionnaire.answers import get, put
from pipeline.questionnaire.pages import page_questions
from pipeline.spec.settings import Settings
from pipeline.store.history import flat
from pipeline.store.workspace import Agreement
from pipeline.web.forms import apply_page
from pipeline.web.words import question_label, shown_answer


def page_now(current: Agreement, pg, settings) -> list[tuple[str, str]]:
    """The answers of this page as they now are (changed in another window), to show beside the conflict message."""
    out = []
    for q in page_questions(pg, current.answers, settings):
        out.append((question_label(q), shown_answer(get(current.answers, q.path), q)))
    return out


def merge_page(pg, base: dict, current: dict, form, settings: Settings):
    """A page posted from an older version `base` while someone saved `current` since: what this person changed
    (the page applied to `base`) goes onto `current` question by question; a question both changed, to different
    values, is a clash for them to choose. Returns (merged answers, errors, typed_raw, [(question, their value)])."""
    mine = copy.deepcopy(base)
    errors, typed_raw = apply_page(pg, mine, form, settings)
    merged, clashes = copy.deepcopy(current), []
    for q in page_questions(pg, mine, settings):
        b, m, c = (flat(get(x, q.path)) for x in (base, mine, current))
        if m == b:
            continue  # this person did not change it: whatever is saved stays
        if c != b and c != m:
            rows = merge_rows(*(get(x, q.path) for x in (base, mine, current))) if q.kind == "records" else None
            if rows is None:
                clashes.append((q, copy.deepcopy(get(mine, q.path))))
            else:
                put(merged, q.path, rows)
            continue
        put(merged, q.path, copy.deepcopy(get(mine, q.path)))
    return merged, errors, typed_raw, clashes


def merge_rows(base, mine, current) -> list | None:
    """A table both people changed, merged row by row and, within a row, column by column, as fields are: each takes
    the other's changes where they did not touch the same cell; rows each added are kept (theirs, then mine). None: a
    clash — the same cell changed to two values, or a row removed by one and changed by the other."""
    if not all(isinstance(x, list) for x in (base, mine, current)):
        return None
    n = len(base)
    if len(mine) < n or len(current) < n:  # a row removed: merged only when the other left the table as it was
        return None
    out = []
    for rb, rm, rc in zip(base, mine[:n], current[:n]):
        if flat(rm) == flat(rb) or flat(rm) == flat(rc):
            out.append(copy.deepcopy(rc))
        elif flat(rc) == flat(rb):
            out.append(copy.deepcopy(rm))
        elif all(isinstance(r, dict) for r in (rb, rm, rc)):
            row = copy.deepcopy(rc)
            for key in set(rb) | set(rm) | set(rc):
                vb, vm, vc = (flat(r.get(key)) for r in (rb, rm, rc))
                if vm == vb or vm == vc:
                    continue
                if vc != vb:
                    return None
                if rm.get(key) is None:
                    row.pop(key, None)
                else:
                    row[key] = copy.deepcopy(rm[key])
            out.append(row)
        else:
            return None
    return out + copy.deepcopy(current[n:]) + copy.deepcopy(mine[n:])
