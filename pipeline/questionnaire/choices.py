"""The choices the questions offer, in the very words the documents print (clauses/_labels.yaml): kinds of party,
parties, frequencies, models, kinds of source, committee roles, roles for personal data, and what a payment waits
for."""

from __future__ import annotations

import yaml

from pipeline import LABELS_FILE

# The choices show the very words the documents print: clauses/_labels.yaml, one table for both (a library given with
# --library has its own labels for its documents; the questions keep the project's).
_LABELS = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


def _choices(group: str, values: tuple[str, ...] | None = None) -> tuple:
    """(value, Thai, English) for each value of a label group, in the file's order (or the order given)."""
    table = _LABELS[group]
    return tuple((v, table[v]["th"], table[v]["en"]) for v in (values or tuple(table)))


KINDS = _choices("kind")
PARTIES = _choices("party", ("delegator", "partner", "supporters"))
FREQ = _choices("frequency")
MODELS = _choices("model")
SOURCES = _choices("source")
ROLES = _choices("role")
DATA_ROLES = _choices("data_role")
_EVAL = _LABELS["evaluation"]
AFTER = (
    ("signing", _EVAL["signing"]["th"], _EVAL["signing"]["en"]),
    ("midterm", _EVAL["midterm_one"]["th"], _EVAL["midterm_one"]["en"]),
    *((f"midterm {n}", _EVAL["midterm"]["th"].format(n=n), _EVAL["midterm"]["en"].format(n=n)) for n in (1, 2, 3)),
    *((f"yearly {n}", _EVAL["yearly"]["th"].format(n=n), _EVAL["yearly"]["en"].format(n=n)) for n in (1, 2, 3, 4)),
    ("final", _EVAL["final"]["th"], _EVAL["final"]["en"]),
)
