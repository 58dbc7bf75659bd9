"""Render every raster icon of vaultbrowser from the one SVG source.

    python packaging/make_icons.py OUTDIR [--svg resources/icons/vaultbrowser.svg]

writes, atomically (a temporary name, then os.replace):

    OUTDIR/hicolor/<N>x<N>/apps/io.github.vaultbrowser.VaultBrowser.png   N in 16 … 512
    OUTDIR/hicolor/scalable/apps/io.github.vaultbrowser.VaultBrowser.svg  (the source)
    OUTDIR/vaultbrowser.ico    Windows: PNG entries 16 … 256
    OUTDIR/vaultbrowser.icns   macOS: PNG entries 16 … 1024 (512@2x)

The hicolor tree is ready to copy into /usr/share/icons/hicolor. Nothing here is committed:
the installers run this script. Output is deterministic for a given Qt version.

Other scripts import it as a plain module (this directory is not a package: a package named
`packaging` would shadow PyPA's `packaging`), e.g.

    sys.path.insert(0, "packaging"); from make_icons import make_icons
    paths = make_icons(Path("resources/icons/vaultbrowser.svg"), Path("build/icons"))

Exit codes: 0 written, 2 the SVG is missing, invalid or renders nothing.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SVG = ROOT / "resources" / "icons" / "vaultbrowser.svg"

try:  # the single source of the application id; a fallback when run outside the checkout
    sys.path.insert(0, str(ROOT))
    from vaultbrowser import APP_ID, APP_NAME
except ImportError:  # pragma: no cover - e.g. a packaging step with only the sources
    APP_ID = "io.github.vaultbrowser.VaultBrowser"
    APP_NAME = "vaultbrowser"
finally:
    sys.path.remove(str(ROOT))

HICOLOR_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256)
# (OSType, pixel size), each 1x type next to the 2x type of the same pixel size; all PNG.
ICNS_TYPES: tuple[tuple[bytes, int], ...] = (
    (b"icp4", 16),
    (b"ic11", 32),  # 16@2x
    (b"icp5", 32),
    (b"ic12", 64),  # 32@2x
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic13", 256),  # 128@2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256@2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512@2x
)

_app: Any = None  # the QGuiApplication created here, if any (kept alive while rendering)


class IconError(Exception):
    """The SVG source is missing, invalid or renders nothing."""


def _ensure_gui_app() -> None:
    global _app
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        _app = QGuiApplication([sys.argv[0] if sys.argv else APP_NAME])


def render_pngs(svg: Path, sizes: Iterable[int]) -> dict[int, bytes]:
    """PNG bytes of `svg` rendered square at each size (transparent background)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if not svg.is_file():
        raise IconError(f"icon source not found: {svg}")
    _ensure_gui_app()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise IconError(f"icon source is not a valid SVG (QtSvg could not parse it): {svg}")

    pngs: dict[int, bytes] = {}
    for size in sorted(set(sizes)):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        image = image.convertToFormat(QImage.Format.Format_ARGB32)
        if not _has_visible_pixel(image):
            raise IconError(f"icon source renders nothing (fully transparent at {size} px): {svg}")
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise IconError(f"Qt could not encode a {size} px PNG (no PNG image plugin?)")
        buffer.close()
        pngs[size] = bytes(data.data())
    return pngs


def _has_visible_pixel(image: Any) -> bool:
    """Whether any pixel of an ARGB32 image has a non-zero alpha (0xAARRGGBB words)."""
    pixels = memoryview(image.constBits()).cast("B").cast("I")
    return any(word >> 24 for word in pixels)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding the PNGs (ICONDIR, one ICONDIRENTRY each, then the images)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, images = [], []
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f".ico entries are 1 to 256 px, not {size}")
        data = pngs[size]
        dim = 0 if size == 256 else size  # a 0 byte means 256
        # width, height, palette colours, reserved, colour planes, bits per pixel, size, offset
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset))
        images.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(images)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding a PNG for each OSType in ICNS_TYPES."""
    body = b"".join(
        ostype + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for ostype, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def _write_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; icons are installed world-readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def hicolor_png_path(out: Path, size: int) -> Path:
    return out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def hicolor_svg_path(out: Path) -> Path:
    return out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def make_icons(svg: Path, out: Path) -> list[Path]:
    """Render every icon from `svg` into `out`; returns the paths written (see the module doc).

    Raises IconError when the SVG is missing, invalid or renders nothing; nothing is written then.
    """
    svg, out = Path(svg), Path(out)
    sizes = {*HICOLOR_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)}
    pngs = render_pngs(svg, sizes)

    written = [_write_atomic(hicolor_png_path(out, size), pngs[size]) for size in HICOLOR_SIZES]
    written.append(_write_atomic(hicolor_svg_path(out), svg.read_bytes()))
    written.append(
        _write_atomic(out / "vaultbrowser.ico", ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    )
    written.append(_write_atomic(out / "vaultbrowser.icns", icns_bytes(pngs)))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render vaultbrowser's hicolor PNGs, .ico and .icns from the SVG source."
    )
    parser.add_argument("outdir", type=Path, help="output directory (created if missing)")
    parser.add_argument(
        "--svg",
        type=Path,
        default=DEFAULT_SVG,
        help=f"icon source (default: {DEFAULT_SVG.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    try:
        written = make_icons(args.svg, args.outdir)
    except IconError as error:
        print(f"make_icons: error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
