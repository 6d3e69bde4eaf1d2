"""Read back what a reportlab PDF really shows, two ways.

`read_pdf`, with the standard library alone: the text, through each embedded font's ToUnicode map, and
whether each character's glyph in the embedded subset has an outline (a missing or empty glyph is what
shows as tofu).

`rasterise`, with PDFium (pypdfium2, test-only, decision 0073): the pages as pixels, drawn with no
system font to fall back on, and the text PDFium itself reads; every CJK character must be read back as
itself and leave ink in its box (a font that cannot encode it, a font the machine lacks, invisible text
all fail)."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)


def _stream(body: bytes) -> bytes:
    head, _, rest = body.partition(b"stream")
    data = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
    filters = re.findall(rb"/(ASCII85Decode|FlateDecode)", head.split(b"stream")[0])
    for f in filters:
        data = base64.a85decode(data.strip(), adobe=True) if f == b"ASCII85Decode" else zlib.decompress(data)
    return data


def _literal(s: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c == 0x5C:  # backslash
            nxt = s[i + 1:i + 2]
            m = re.match(rb"[0-7]{1,3}", s[i + 1:i + 4])
            if m:
                out.append(int(m.group(), 8) & 0xFF)
                i += 1 + len(m.group())
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


@dataclass
class PdfFonts:
    text: str
    cmaps: dict[bytes, dict[int, str]] = field(default_factory=dict)  # font resource name → code → char
    outlined: set[str] = field(default_factory=set)  # characters whose embedded glyph has an outline
    embedded: int = 0


def glyph_sizes(ttf: bytes) -> dict[int, int]:
    """code → byte length of its glyph outline in a (reportlab subset) TrueType font: 0 = empty glyph."""
    tables = {}
    for k in range(struct.unpack(">H", ttf[4:6])[0]):
        tag, _sum, off, length = struct.unpack(">4sIII", ttf[12 + 16 * k:28 + 16 * k])
        tables[tag] = ttf[off:off + length]
    long_loca = struct.unpack(">h", tables[b"head"][50:52])[0] == 1
    loca = tables[b"loca"]
    pos = ([struct.unpack(">I", loca[i:i + 4])[0] for i in range(0, len(loca), 4)] if long_loca
           else [2 * struct.unpack(">H", loca[i:i + 2])[0] for i in range(0, len(loca), 2)])
    cmap = tables[b"cmap"]
    sizes: dict[int, int] = {}
    for k in range(struct.unpack(">H", cmap[2:4])[0]):
        _plat, _enc, off = struct.unpack(">HHI", cmap[4 + 8 * k:12 + 8 * k])
        if struct.unpack(">H", cmap[off:off + 2])[0] != 6:
            continue
        first, count = struct.unpack(">HH", cmap[off + 6:off + 10])
        for i in range(count):
            glyph = struct.unpack(">H", cmap[off + 10 + 2 * i:off + 12 + 2 * i])[0]
            sizes[first + i] = pos[glyph + 1] - pos[glyph] if glyph + 1 < len(pos) else 0
    return sizes


def read_pdf(data: bytes) -> PdfFonts:
    objs = {int(n): body for n, body in OBJ.findall(data)}
    result = PdfFonts(text="")
    for body in objs.values():
        m = re.search(rb"/Name /(\S+) /Subtype /TrueType.*?/ToUnicode (\d+) 0 R", body, re.S)
        if not m:
            continue
        cmap: dict[int, str] = {}
        cm = _stream(objs[int(m.group(2))])
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cm, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                      b"".join(re.findall(rb"beginbfrange(.*?)endbfrange", cm, re.S))):
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                cmap[code] = chr(int(dst, 16) + k)
        result.cmaps[m.group(1)] = cmap
        desc = re.search(rb"/FontDescriptor (\d+) 0 R", body)
        ff = re.search(rb"/FontFile2 (\d+) 0 R", objs[int(desc.group(1))]) if desc else None
        if ff:
            result.embedded += 1
            sizes = glyph_sizes(_stream(objs[int(ff.group(1))]))
            result.outlined |= {char for code, char in cmap.items() if sizes.get(code, 0) > 0}
    parts: list[str] = []
    for body in objs.values():
        if b"/Length" not in body or b"stream" not in body or b"/FontFile2" in body or b"/Subtype" in body:
            continue
        try:
            content = _stream(body)
        except Exception:
            continue
        current: dict[int, str] = {}
        for font, string in re.findall(rb"/(\S+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content):
            if font:
                current = result.cmaps.get(font, {})
            elif current:
                parts.append("".join(current.get(b, "") for b in _literal(string)))
    result.text = "\n".join(parts)
    return result


# --- what PDFium actually paints --------------------------------------------------------------

SCALE = 2.0  # 144 dpi: a 9 pt character is ≈18 px square
INK = 64  # a pixel is ink when it is this much darker (of 255) than the lightest pixel around its character
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CJK = re.compile("[\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6]")


class _NoSystemFonts(pdfium.PdfSysfontBase):
    """PDFium finds no font on this machine: only what the PDF embeds (and PDFium's own Latin
    standard fonts) can paint, as on a phone or PC without Chinese fonts."""

    def EnumFonts(self, _info: object, _mapper: object) -> None:
        return None

    def MapFont(self, _info: object, *_args: object) -> None:
        return None

    def GetFont(self, _info: object, _face: object) -> None:
        return None


@dataclass
class Raster:
    text: str  # what PDFium reads off the pages (its own text page), pages joined by "\n"
    inkless: list[str]  # the CJK characters PDFium places on a page but paints nothing in their box

    def problems(self, expected: str) -> list[str]:
        """Why a reader would not see `expected`'s Chinese: characters PDFium does not read back (a font
        that cannot encode them, or has no glyph for them, draws something else or nothing) or reads
        where none were meant, and characters it places but does not paint."""
        want, got = Counter(CJK.findall(expected)), Counter(CJK.findall(self.text))
        missing = "".join((want - got).elements())
        extra = "".join((got - want).elements())
        out = [f"PDFium does not read {missing!r} off the page" if missing else "",
               f"PDFium reads {extra!r}, which was not meant to be there" if extra else "",
               *(f"nothing painted: {where}" for where in self.inkless)]
        return [p for p in out if p]


def rasterise(data: bytes, artifact: str | None = None) -> Raster:
    """Render every page at SCALE with PDFium (Chrome's PDF engine), system fonts hidden, and look at
    each CJK character PDFium's text page places: its tight box on the bitmap must hold ink.
    `artifact`: also save page 1 as test-artifacts/pdf-<artifact>.png for a human to look at."""
    if not isinstance(pdfium.PdfSysfontBase.SINGLETON, _NoSystemFonts):
        _NoSystemFonts().setup()
    doc = pdfium.PdfDocument(data)
    texts: list[str] = []
    inkless: list[str] = []
    try:
        for number, page in enumerate(doc, start=1):
            bitmap = page.render(scale=SCALE)
            pixels = bitmap.to_numpy()
            gray = pixels[..., :3].mean(axis=2)  # BGR → grey, 0 (black) … 255 (white)
            to_bitmap = bitmap.get_posconv(page).to_bitmap
            if artifact and number == 1:
                ARTIFACTS.mkdir(exist_ok=True)
                bitmap.to_pil().save(ARTIFACTS / f"pdf-{artifact}.png")
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                char = textpage.get_text_range(i, 1)
                chars.append(char)
                if not CJK.fullmatch(char):
                    continue
                left, bottom, right, top = textpage.get_charbox(i)  # tight: the glyph's own outline
                (xa, ya), (xb, yb) = to_bitmap(left, top), to_bitmap(right, bottom)
                x0, x1, y0, y1 = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
                box = gray[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)]  # empty for a glyph with no outline
                around = gray[max(y0 - 2, 0):max(y1 + 2, 0), max(x0 - 2, 0):max(x1 + 2, 0)]
                dark = int((box < around.max() - INK).sum()) if box.size else 0
                if dark < max(3, box.size // 20):  # the real reports: ≥5 px and ≥16 % of the box
                    inkless.append(f"page {number} {char!r} at ({left:.0f}, {bottom:.0f}) pt")
            texts.append("".join(chars))
            textpage.close()
            page.close()
    finally:
        doc.close()
    return Raster(text="\n".join(texts), inkless=inkless)
