"""The installers' resources: the icon source and packaging/make_icons.py, the .desktop file and
the AppStream metainfo. Parsed here with the standard library (PNG IHDR, ICONDIR, icns headers,
configparser, ElementTree); desktop-file-validate and appstreamcli run too when installed."""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import vaultbrowser
from vaultbrowser import APP_ID, APP_NAME

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
SVG = RESOURCES / "icons" / "vaultbrowser.svg"
MAKE_ICONS = ROOT / "packaging" / "make_icons.py"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
SCREENSHOT_URL = (
    "https://raw.githubusercontent.com/vaultbrowser/vaultbrowser/main/resources/screenshots/"
)

HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = {
    b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256, b"ic09": 512,
    b"ic10": 1024, b"ic11": 32, b"ic12": 64, b"ic13": 256, b"ic14": 512,
}  # fmt: skip
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def make_icons_module(packaging_script: Callable[[str], ModuleType]) -> ModuleType:
    return packaging_script("make_icons")


@pytest.fixture(scope="module")
def icons(
    qapp: Any, make_icons_module: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Path]]:
    """make_icons run once; `qapp` first, so pytest-qt's QApplication is the one used."""
    out = tmp_path_factory.mktemp("icons")
    return out, make_icons_module.make_icons(SVG, out)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _expected_files(out: Path) -> set[Path]:
    files = {out / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in HICOLOR_SIZES}
    files.add(out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg")
    files.update({out / "vaultbrowser.ico", out / "vaultbrowser.icns"})
    return files


# --- the icons ------------------------------------------------------------------------------


def test_make_icons_writes_every_listed_file(icons: tuple[Path, list[Path]]) -> None:
    out, written = icons
    assert set(written) == _expected_files(out)
    assert len(written) == len(set(written))
    on_disk = {path for path in out.rglob("*") if path.is_file()}
    assert on_disk == _expected_files(out), "unexpected or temporary files left behind"
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == SVG.read_bytes()


@pytest.mark.parametrize("size", HICOLOR_SIZES)
def test_hicolor_png_size_and_shape(icons: tuple[Path, list[Path]], size: int) -> None:
    from PySide6.QtGui import QImage

    path = icons[0] / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert _png_size(path.read_bytes()) == (size, size)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    centre = image.pixelColor(size // 2, size // 2)
    assert centre.alpha() == 255, "the centre of the icon must be opaque"
    # The tile is a rounded square: the corner pixels stay transparent at every size.
    last = size - 1
    for x, y in ((0, 0), (last, 0), (0, last), (last, last)):
        assert image.pixelColor(x, y).alpha() == 0, f"corner ({x}, {y}) is not transparent"
    # The middle of each edge is on the tile (the margin is under 5 %): opaque at 64 px and up.
    if size >= 64:
        for x, y in ((size // 2, size // 20), (size // 20, size // 2)):
            assert image.pixelColor(x, y).alpha() == 255, f"edge ({x}, {y}) is not opaque"


def test_icon_design_blue_tile_with_white_motif(icons: tuple[Path, list[Path]]) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(icons[0] / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png"))
    white = blue = 0
    for y in range(0, 256, 2):
        for x in range(0, 256, 2):
            colour = image.pixelColor(x, y)
            if colour.alpha() < 255:
                continue
            if min(colour.red(), colour.green(), colour.blue()) > 215:
                white += 1
            elif colour.blue() > 140 and colour.red() < 80:
                blue += 1
    total = 128 * 128
    assert 0.15 < white / total < 0.5, f"white motif covers {white / total:.0%}"
    assert 0.3 < blue / total < 0.8, f"blue tile covers {blue / total:.0%}"


def test_ico_parses(icons: tuple[Path, list[Path]]) -> None:
    data = (icons[0] / "vaultbrowser.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1)
    assert count == len(ICO_SIZES)
    sizes = []
    end_of_directory = 6 + 16 * count
    for index in range(count):
        width, height, colours, reserved, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert (colours, reserved, planes, bits) == (0, 0, 1, 32)
        assert end_of_directory <= offset and offset + length <= len(data), "entry out of bounds"
        image = data[offset : offset + length]
        png_width, png_height = _png_size(image)
        assert (width or 256, height or 256) == (png_width, png_height)
        sizes.append(png_width)
    assert sorted(sizes) == list(ICO_SIZES)


def test_icns_parses(icons: tuple[Path, list[Path]]) -> None:
    data = (icons[0] / "vaultbrowser.icns").read_bytes()
    magic, total = struct.unpack_from(">4sI", data, 0)
    assert magic == b"icns"
    assert total == len(data)
    seen: dict[bytes, int] = {}
    offset = 8
    while offset < total:
        ostype, length = struct.unpack_from(">4sI", data, offset)
        assert length > 8 and offset + length <= total, f"{ostype!r} out of bounds"
        assert ostype in ICNS_SIZES, f"unexpected OSType {ostype!r}"
        assert ostype not in seen, f"duplicate OSType {ostype!r}"
        width, height = _png_size(data[offset + 8 : offset + length])
        assert width == height == ICNS_SIZES[ostype], f"{ostype!r} holds {width}x{height}"
        seen[ostype] = width
        offset += length
    assert offset == total
    assert set(seen) == set(ICNS_SIZES)


def test_make_icons_is_deterministic(
    icons: tuple[Path, list[Path]], make_icons_module: ModuleType, tmp_path: Path
) -> None:
    first_out, first = icons
    second = make_icons_module.make_icons(SVG, tmp_path)
    assert [p.relative_to(tmp_path) for p in second] == [p.relative_to(first_out) for p in first]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{b.name} differs between two runs"


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAKE_ICONS), *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip


def test_cli_writes_the_icons(tmp_path: Path) -> None:
    result = _run_cli(str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert {Path(line) for line in result.stdout.split()} == _expected_files(tmp_path / "out")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("this is not an SVG document", "not a valid SVG"),
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256"/>', "renders nothing"),
    ],
    ids=["missing", "invalid", "empty"],
)
def test_cli_fails_clearly_on_a_bad_svg(tmp_path: Path, content: str | None, message: str) -> None:
    svg = tmp_path / "icon.svg"
    if content is not None:
        svg.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = _run_cli(str(out), "--svg", str(svg))
    assert result.returncode == 2
    assert message in result.stderr and str(svg) in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.rglob("*")), "nothing may be written on failure"


def test_make_icons_raises_icon_error(make_icons_module: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(make_icons_module.IconError, match="not found"):
        make_icons_module.make_icons(tmp_path / "missing.svg", tmp_path / "out")


# --- the desktop entry ----------------------------------------------------------------------


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"), source=str(DESKTOP))
    return parser["Desktop Entry"]


def _metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def test_desktop_entry_matches_the_app() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == APP_NAME
    assert entry["Icon"] == APP_ID
    assert entry["StartupWMClass"] == APP_NAME
    assert entry["Terminal"] == "false"
    assert DESKTOP.name == f"{APP_ID}.desktop"
    assert entry["Name"] == _metainfo().findtext("name")
    assert entry["Categories"].endswith(";")
    assert {"Azure", "Key Vault", "Blob"} <= set(entry["Keywords"].split(";"))


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate is not installed (desktop-file-utils)",
)
def test_desktop_file_validate() -> None:
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.strip() == "", output  # not even a hint


# --- the AppStream metainfo -----------------------------------------------------------------


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_metainfo_matches_the_app() -> None:
    root = _metainfo()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert [b.text for b in root.iterfind("provides/binary")] == [APP_NAME]
    assert root.find("content_rating") is not None


def test_metainfo_newest_release_is_the_package_version() -> None:
    releases = _metainfo().findall("releases/release")
    assert releases, "no <release> in the metainfo"
    versions = [release.get("version") or "" for release in releases]
    newest = max(versions, key=_version_key)
    assert newest == vaultbrowser.__version__, (
        f"vaultbrowser.__version__ is {vaultbrowser.__version__} but the newest <release> in "
        f"{METAINFO.name} is {newest}: add a release entry for it"
    )
    assert versions == sorted(versions, key=_version_key, reverse=True), "newest release first"
    for release in releases:
        date = release.get("date") or ""
        assert len(date) == 10 and date[4] == date[7] == "-", f"release date {date!r}"


def test_metainfo_screenshots_exist() -> None:
    images = [image.text or "" for image in _metainfo().iterfind("screenshots/screenshot/image")]
    assert images
    for url in images:
        assert url.startswith(SCREENSHOT_URL), url
        assert (RESOURCES / "screenshots" / url.removeprefix(SCREENSHOT_URL)).is_file(), url


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None, reason="appstreamcli is not installed (appstream)"
)
def test_appstreamcli_validate() -> None:
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    problems = [line for line in output.splitlines() if line.startswith(("E:", "W:"))]
    assert not problems, output


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None, reason="appstreamcli is not installed (appstream)"
)
def test_appstreamcli_validate_tree(icons: tuple[Path, list[Path]], tmp_path: Path) -> None:
    """The installed layout: metainfo, desktop entry and hicolor icons under /usr/share."""
    share = tmp_path / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    shutil.copy(DESKTOP, share / "applications")
    shutil.copy(METAINFO, share / "metainfo")
    shutil.copytree(icons[0] / "hicolor", share / "icons" / "hicolor")
    result = subprocess.run(["appstreamcli", "validate-tree", "--no-net", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    problems = [line for line in output.splitlines() if line.lstrip().startswith(("E:", "W:"))]
    assert not problems, output
