"""packaging/build.py's .deb helpers on real ELF files: what a bundle needs from the system and
which Debian packages provide it (the package's Depends). The whole build, install, upgrade and
purge run in packaging/test_deb.sh (root, ~1.5 min)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.skipif(shutil.which("dpkg") is None or sys.platform != "linux",
                                reason="Debian packaging helpers need dpkg (Debian/Ubuntu)")


def _copy_system_library(build: ModuleType, soname: str, folder: Path) -> Path:
    source = build.system_library_paths()[soname]
    target = folder / soname
    shutil.copy2(source, target)
    return target


def test_needs_outside_the_folder_become_debian_packages(build: ModuleType,
                                                         tmp_path: Path) -> None:
    # libxcb-cursor links libxcb-render, libxcb-image… and libxcb; bundle two of them.
    _copy_system_library(build, "libxcb-cursor.so.0", tmp_path)
    _copy_system_library(build, "libxcb-render.so.0", tmp_path)
    external = build.external_libraries(tmp_path)
    assert "libxcb.so.1" in external and "libc.so.6" in external
    assert "libxcb-render.so.0" not in external  # in the folder: not a dependency
    assert external["libxcb.so.1"] >= {"libxcb-cursor.so.0", "libxcb-render.so.0"}

    depends = build.debian_depends(tmp_path)
    assert depends[0].startswith("libc6 (>= 2.") and "fontconfig" in depends
    assert "libxcb1" in depends and "libxcb-render0" not in depends
    libc = build.system_library_paths()["libc.so.6"]
    # Merged /usr: the linker cache and dpkg may spell one file /lib/… or /usr/lib/….
    other = libc.removeprefix("/usr") if libc.startswith("/usr/") else "/usr" + libc
    assert build.owning_package(libc) == build.owning_package(other) == "libc6"
    with pytest.raises(build.BuildError, match="No Debian package owns"):
        build.owning_package(str(tmp_path / "libxcb-cursor.so.0"))


def test_glibc_floor_is_the_newest_symbol_version_asked_for(build: ModuleType,
                                                            tmp_path: Path) -> None:
    library = _copy_system_library(build, "libstdc++.so.6", tmp_path)
    versions = subprocess.run(["readelf", "-V", str(library)], capture_output=True, text=True,
                              check=True).stdout
    newest = max(tuple(int(p) for p in v.split(".")) for v in
                 re.findall(r"GLIBC_(\d+\.\d+)", versions))
    assert newest > (2, 17)  # libstdc++ asks for a recent glibc: the floor must follow it
    assert build.glibc_floor(tmp_path) == f"{newest[0]}.{newest[1]}"


def test_a_library_the_host_lacks_is_named_and_stops_the_package(build: ModuleType,
                                                                 tmp_path: Path) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to link a test library")
    (tmp_path / "gone.c").write_text("int gone(void) { return 1; }\n")
    (tmp_path / "user.c").write_text("int gone(void);\nint user(void) { return gone(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(tmp_path / "libvbgone.so"),
                    str(tmp_path / "gone.c")], check=True)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(bundle / "libvbuser.so"),
                    str(tmp_path / "user.c"), f"-L{tmp_path}", "-lvbgone"], check=True)
    assert build.unresolved_libraries(bundle) == {"libvbgone.so"}
    with pytest.raises(build.BuildError, match=r"libvbgone\.so"):
        build.debian_depends(bundle)
