"""Install TH Sarabun New, the official font of Thai government documents, into fonts/ (what `make mou` runs).

The font comes from a PyPI wheel, pinned by version and the font file by sha256, so every machine gets the same
bytes: odoo-addon-l10n-th-fonts 18.0.1.0.0.2 carries THSarabunNew.ttf 1.35 (SIPA's national font, GPL-2+ with the
font-embedding exception, so it may be embedded in the PDFs). The wheel has the regular face only: bold and italic
are LibreOffice's synthetic ones. Where the font cannot be fetched (no network), this says so and exits 0: the PDFs
are then set in TLWG Laksaman, and `mou build` warns that they are not in the official font.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "odoo-addon-l10n-th-fonts==18.0.1.0.0.2"
FONTS = {  # file in fonts/ -> (path in the wheel, sha256 of the font file)
    "THSarabunNew.ttf": (
        "odoo/addons/l10n_th_fonts/static/fonts/THSarabunNew.ttf",
        "b248f824f3d7a8576bc396826a4d898070c1420564f6ce6aa716aa8ad24f824a",
    ),
}
HERE = Path(__file__).resolve().parent.parent / "fonts"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def missing() -> list[str]:
    out = []
    for name, (_, digest) in FONTS.items():
        path = HERE / name
        if not path.exists() or _sha256(path.read_bytes()) != digest:
            out.append(name)
    return out


def main() -> int:
    todo = missing()
    if not todo:
        return 0
    HERE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        got = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:", "-d", tmp, WHEEL],
            capture_output=True,
            text=True,
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if got.returncode != 0 or not wheels:
            print(
                f"install_fonts: could not download {WHEEL} ({got.stderr.strip().splitlines()[-1:] or 'no wheel'}): "
                "Thai PDFs will use the fallback font Laksaman (not the official font)",
                file=sys.stderr,
            )
            return 0
        with zipfile.ZipFile(wheels[0]) as wheel:
            for name in todo:
                inner, digest = FONTS[name]
                data = wheel.read(inner)
                if _sha256(data) != digest:
                    print(
                        f"install_fonts: {inner} in {wheels[0].name} is not the pinned file (sha256 "
                        f"{_sha256(data)}, expected {digest}); not installed",
                        file=sys.stderr,
                    )
                    return 1
                part = HERE / f".{name}.part"
                part.write_bytes(data)
                os.chmod(part, 0o644)
                part.replace(HERE / name)
                print(f"install_fonts: fonts/{name} (sha256 {digest[:12]}…)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
