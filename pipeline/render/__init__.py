"""Rendering: Thai formatting, the DOCX, the PDF through LibreOffice, and reading PDFs back."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline import PROJECT_ROOT

# The fonts the project installs and embeds (TH Sarabun New): read by the converter's fontconfig, the signature
# appearance and the batch's fingerprint, which must not import the converter to find them.
PROJECT_FONTS = Path(os.environ.get("MOU_FONTS_DIR") or PROJECT_ROOT / "fonts")
