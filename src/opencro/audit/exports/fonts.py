"""Fonts for printed copies: Helvetica for Western text; for any character it lacks, the first
TrueType font in OPENCRO_PDF_FONTS that has it (embedded, so every viewer shows it); failing
that, ReportLab's Japanese CID font (not embedded: the viewer supplies it).

The default list names DejaVu Sans (Greek, Cyrillic, Latin extended, symbols) and IPA Gothic
(Japanese) where Debian installs them; missing files are skipped.
"""

import functools
import os
from dataclasses import dataclass

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

BASE_FONT = "Helvetica"
CID_FONT = "HeiseiKakuGo-W5"
DEFAULT_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
)


def in_base_font(text: str) -> bool:
    """True when Helvetica (WinAnsi, i.e. Windows-1252) has every character of `text`."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class FontChain:
    """Registered fallback fonts, each with the code points it covers, then the CID font."""

    fonts: tuple[tuple[str, frozenset[int]], ...]

    def font_for(self, char: str) -> str | None:
        """The font to set `char` in, or None for the base font."""
        if in_base_font(char):
            return None
        code = ord(char)
        for name, covered in self.fonts:
            if code in covered:
                return name
        return CID_FONT


@functools.cache
def _load(paths: tuple[str, ...]) -> FontChain:
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    fonts = []
    for path in paths:
        if not os.path.isfile(path):
            continue
        name = "OpenCRO-" + os.path.splitext(os.path.basename(path))[0]
        font = TTFont(name, path)
        pdfmetrics.registerFont(font)
        fonts.append((name, frozenset(font.face.charToGlyph)))
    return FontChain(tuple(fonts))


def font_chain() -> FontChain:
    """The fallback fonts named in settings (read now, loaded once per list of paths)."""
    return _load(tuple(getattr(settings, "OPENCRO_PDF_FONTS", DEFAULT_FONT_PATHS)))
