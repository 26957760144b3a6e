"""Drafts Thai public-service delegation agreements: YAML spec -> assembled agreement -> DOCX -> PDF."""

import os as _os
import tempfile as _tempfile
from pathlib import Path as _Path

__version__ = "0.1.0"

# The project's folder (clauses/, templates/, fonts/ beside pipeline/), named once.
PROJECT_ROOT = _Path(__file__).resolve().parent.parent
LABELS_FILE = PROJECT_ROOT / "clauses" / "_labels.yaml"  # the words of the choices, shared by documents and questions


def _pythainlp_data() -> None:
    """pythainlp makes its data folder (~/pythainlp-data) when it is imported, and a read-only or missing $HOME (a
    service account, a container) stops the import. mou uses none of its downloaded data, so where the home folder
    cannot hold it, the folder is a private one in the temporary directory."""
    if _os.environ.get("PYTHAINLP_DATA") or _os.environ.get("PYTHAINLP_DATA_DIR"):
        return
    home = _os.path.join(_os.path.expanduser("~"), "pythainlp-data")
    if _os.path.isdir(home) and _os.access(home, _os.W_OK):
        return
    try:
        _os.makedirs(home, exist_ok=True)
        return
    except OSError:
        pass
    private = _os.path.join(_tempfile.gettempdir(), f"mou-pythainlp-{_os.getuid()}")
    try:
        _os.makedirs(private, mode=0o700, exist_ok=True)
        if _os.stat(private).st_uid != _os.getuid():  # someone else's folder of that name: not ours to use
            raise OSError
    except OSError:
        private = _tempfile.mkdtemp(prefix="mou-pythainlp-")
    _os.environ["PYTHAINLP_DATA"] = private


_pythainlp_data()
