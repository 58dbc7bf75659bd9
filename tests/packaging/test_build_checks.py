"""packaging/build.py's checks of a finished bundle (what the spec promises), on stand-in
folders: no GTK from the build host, exactly the PySide6 modules the app imports, the icon."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest


def _bundle(folder: Path, *names: str) -> Path:
    for name in ("PySide6/QtCore.abi3.so", "PySide6/QtGui.abi3.so", "PySide6/QtWidgets.abi3.so",
                 "resources/icons/vaultbrowser.svg", *names):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"stand-in")
    return folder


def test_a_bundle_as_the_spec_promises_passes(build: ModuleType, tmp_path: Path) -> None:
    build.check_bundle(_bundle(tmp_path, "PySide6/Qt/plugins/platforms/libqxcb.so"))


@pytest.mark.parametrize("extra, complaint", [
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "GTK leaked"),
    ("libgtk-3.so.0", "GTK leaked"),
    ("PySide6/QtNetwork.abi3.so", "PySide6 modules in the bundle"),
    ("PySide6/QtQml.pyd", "PySide6 modules in the bundle"),
])
def test_what_the_spec_excludes_fails_the_build(build: ModuleType, tmp_path: Path, extra: str,
                                                complaint: str) -> None:
    with pytest.raises(build.BuildError, match=complaint):
        build.check_bundle(_bundle(tmp_path, extra))


def test_a_bundle_without_the_icon_fails(build: ModuleType, tmp_path: Path) -> None:
    folder = _bundle(tmp_path)
    (folder / "resources" / "icons" / "vaultbrowser.svg").unlink()
    with pytest.raises(build.BuildError, match=r"vaultbrowser\.svg"):
        build.check_bundle(folder)
