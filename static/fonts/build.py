"""Build the Chinese fonts Yishi's PDFs are set in, from Debian's fonts-noto-cjk.

    .venv/bin/python static/fonts/build.py              # apt-get download the pinned .deb
    .venv/bin/python static/fonts/build.py --deb FILE   # an already downloaded .deb

The Simplified Chinese faces are taken out of the package's .ttc collections (never installed),
cut with fontTools, their cubic (CFF) outlines turned into quadratic (TrueType) ones within a
thousandth of the em (WeasyPrint subsets a TrueType font for each PDF about twice as fast as a CFF
one), renamed (the OFL keeps the name 'Source' for the originals; Noto is Google's trademark), and
written next to this script:

- YishiSerifSC-Regular.ttf: Noto Serif CJK SC, GB 2312 and the punctuation and symbols of a
  公文 (the body text);
- YishiSansSC-Bold.ttf: Noto Sans CJK SC Bold, the same characters (headings, table heads);
- YishiSerifSCExt-Regular.ttf: Noto Serif CJK SC, every other CJK ideograph of the face (rare
  characters in names such as 堃 喆 镕， Extension A and B), used only for glyphs the first two lack.

The inputs are checked against the SHA-256 sums below and the output is byte-for-byte the same on
every run (no timestamps), so README.md can list the sums of the files it produces.
"""

import argparse
import hashlib
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

HERE = Path(__file__).resolve().parent

PACKAGE = "fonts-noto-cjk"
VERSION = "1:20220127+repack1-1"  # Debian 12 (bookworm)
DEB_SHA256 = "4a2515eb6db3978b897fef9709ed0d2b1f4c6c4df4d83d6c4ef65f71f1b1f502"
TTC_DIR = "usr/share/fonts/opentype/noto"
TTC_SHA256 = {
    "NotoSerifCJK-Regular.ttc": "a04178ec485dffdff7cc0c0c20e1fce9202d7e2160d805e8e44a4c8841c58481",
    "NotoSansCJK-Bold.ttc": "faa5f3656a78b2e2d450d27fe8382c778bc2b6bb5ea29c986664a6a435056ceb",
}
SC_FACE = 2  # the faces of each collection are JP, KR, SC, TC, HK (then the Mono ones)

# Beside GB 2312: Latin-1, general punctuation (— – ‘ ’ “ ” … ‰), the minus sign, ✓, CJK
# symbols and punctuation (〔〕「」『』〇), enclosed numbers, arrows, shapes, full-width forms.
EXTRA_RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2010, 0x205E),
    (0x2100, 0x215F),
    (0x2190, 0x21FF),
    (0x2212, 0x2212),
    (0x2460, 0x24FF),
    (0x25A0, 0x25FF),
    (0x2713, 0x2714),  # ✓ (the face has no ✔)
    (0x3000, 0x303F),
    (0x3200, 0x32FF),
    (0xFE30, 0xFE4F),
    (0xFF01, 0xFFEF),
]
# CJK ideographs (and their radicals and strokes) for the fallback face.
IDEOGRAPH_RANGES = [
    (0x2E80, 0x2FDF),  # radicals supplement, Kangxi radicals
    (0x31C0, 0x31EF),  # strokes
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x3134F),  # Extensions B to G
]

# (output file, collection, family, style, which characters)
FACES = [
    ("YishiSerifSC-Regular.ttf", "NotoSerifCJK-Regular.ttc", "Yishi Serif SC", "Regular", "primary"),
    ("YishiSansSC-Bold.ttf", "NotoSansCJK-Bold.ttc", "Yishi Sans SC", "Bold", "primary"),
    ("YishiSerifSCExt-Regular.ttf", "NotoSerifCJK-Regular.ttc", "Yishi Serif SC Ext", "Regular", "rest"),
]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def gb2312() -> set[int]:
    chars = set()
    for cp in range(0x80, 0x10000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        chars.add(cp)
    return chars


def primary_chars() -> set[int]:
    chars = gb2312()
    for start, end in EXTRA_RANGES:
        chars.update(range(start, end + 1))
    return chars


def rest_chars(cmap: dict[int, str]) -> set[int]:
    primary = primary_chars()
    return {cp for cp in cmap if cp not in primary and any(start <= cp <= end for start, end in IDEOGRAPH_RANGES)}


def rename(font: TTFont, family: str, style: str) -> None:
    """New names (a Modified Version under the OFL)."""
    ps_name = family.replace(" ", "") + "-" + style
    name = font["name"]
    upstream = name.getDebugName(4)
    version = name.getDebugName(5)
    for name_id in (1, 2, 3, 4, 6, 16, 17, 21, 22):
        name.removeNames(nameID=name_id)
    for name_id, value in [
        (1, family),
        (2, style),  # Regular or Bold
        (3, f"{ps_name};{version.split(';')[0]}"),
        (4, f"{family} {style}"),
        (6, ps_name),
        (10, f"A subset of {upstream} for the PDFs of Yishi (static/fonts/build.py)."),
    ]:
        name.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        name.setName(value, name_id, 1, 0, 0)  # Macintosh, Roman, English


def to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines by TrueType ones (the same glyph order, so cmap, hmtx and the
    layout tables stay valid); hints are dropped (PDF viewers do not use them)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        # 1 unit of 1000 per em; TrueType contours run the other way round.
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    del font["CFF "]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxSizeOfInstructions = maxp.maxComponentElements = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names (the CID names mean nothing to anyone)
    font.sfntVersion = "\0\1\0\0"
    hmtx = font["hmtx"]
    for name in order:
        glyph = glyf.glyphs[name]
        glyph.recalcBounds(glyf)
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))


def cut(source: Path, family: str, style: str, which: str, out: Path) -> tuple[int, int]:
    font = TTFont(source, fontNumber=SC_FACE, recalcTimestamp=False, lazy=False)
    cmap = font.getBestCmap()
    chars = primary_chars() if which == "primary" else rest_chars(cmap)
    chars &= set(cmap)
    options = subset.Options()
    # The SC face maps each character to its Simplified Chinese glyph already; "locl" would pull in
    # the Japanese, Korean and Traditional forms too (twice the size for nothing).
    options.layout_features = [f for f in options.layout_features if f != "locl"]
    # WeasyPrint sets text horizontally only.
    options.drop_tables += ["vhea", "vmtx", "VORG"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    to_truetype(font)
    rename(font, family, style)
    font.save(out)
    return len(chars), len(font.getGlyphOrder())


def download(workdir: Path) -> Path:
    subprocess.run(["apt-get", "download", f"{PACKAGE}={VERSION}"], cwd=workdir, check=True)  # noqa: S603, S607
    return next(workdir.glob(f"{PACKAGE}_*.deb"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deb", type=Path, help=f"a downloaded {PACKAGE} {VERSION} .deb")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the fonts")
    args = parser.parse_args()
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="yishi-fonts-") as tmp:
        workdir = Path(tmp)
        deb = args.deb or download(workdir)
        if sha256(deb) != DEB_SHA256:
            print(f"{deb}: SHA-256 {sha256(deb)} is not the {PACKAGE} {VERSION} this build pins", file=sys.stderr)
            return 1
        subprocess.run(["dpkg-deb", "-x", str(deb), str(workdir / "root")], check=True)  # noqa: S603, S607
        for ttc, expected in TTC_SHA256.items():
            got = sha256(workdir / "root" / TTC_DIR / ttc)
            if got != expected:
                print(f"{ttc}: SHA-256 {got}, expected {expected}", file=sys.stderr)
                return 1
        args.out.mkdir(parents=True, exist_ok=True)
        for filename, ttc, family, style, which in FACES:
            out = args.out / filename
            chars, glyphs = cut(workdir / "root" / TTC_DIR / ttc, family, style, which, out)
            size = out.stat().st_size
            print(f"{filename}: {chars} characters, {glyphs} glyphs, {size:,} bytes, sha256 {sha256(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
