"""Build vaultbrowser's bundle and this OS's installer.

    python packaging/build.py                 icons, PyInstaller bundle, then the installer:
                                              Linux .deb, Windows NSIS setup.exe, macOS .dmg
    python packaging/build.py icons|bundle|deb|nsis|dmg    one step (later steps need earlier)

Outputs go to dist/ (bundle: dist/vaultbrowser/, installers: dist/vaultbrowser*), work files to
build/. Run it with the Python that has the app and PyInstaller installed (`pip install
-e .[package]`); packaging/README.md has the one command per OS.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from vaultbrowser import APP_ID, APP_NAME, __version__  # noqa: E402

BUILD = ROOT / "build"
DIST = ROOT / "dist"
ICONS = BUILD / "icons"
BUNDLE = DIST / APP_NAME
SPEC = ROOT / "packaging" / "vaultbrowser.spec"
# Debian policy: a package's own private files go to /usr/lib/<package> (/opt is for add-ons
# installed outside the package manager).
INSTALL_PREFIX = f"/usr/lib/{APP_NAME}"
MAINTAINER = "vaultbrowser project <vaultbrowser@users.noreply.github.com>"
HOMEPAGE = "https://github.com/vaultbrowser/vaultbrowser"
SUMMARY = "desktop browser for Azure Key Vault and Azure Blob Storage"

# The desktop stack the .deb takes from the system instead of the bundle: the X11/xcb/xkb
# libraries Qt's xcb platform plugin links and fontconfig/freetype. PyInstaller bundles these
# from the build host but not libxcb.so.1, libGL or libEGL themselves, so a bundle would mix
# two builds of one stack; the system's copies also match the system's font configuration.
# The C++ runtime too: the system's Mesa (loaded through libGL/libEGL) may need a newer
# libstdc++ than the build host's. None of these package names changed in Debian's/Ubuntu's
# 64-bit time_t rename.
SYSTEM_LIBRARY_PREFIXES = ("libX11", "libXau", "libXdmcp", "libXext", "libXrender", "libxcb",
                           "libxkbcommon", "libfontconfig", "libfreetype", "libstdc++",
                           "libgcc_s")


class BuildError(RuntimeError):
    """A build step cannot go on; the message says what to install or run."""


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def load_script(name: str) -> ModuleType:
    """A sibling script (packaging/ is a plain folder, not a package: the name would shadow
    PyPA's `packaging` library)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_icons() -> None:
    load_script("make_icons").make_icons(ROOT / "resources" / "icons" / "vaultbrowser.svg",
                                         ICONS)


NOTICES = BUILD / "THIRD_PARTY_NOTICES.txt"  # the bundle carries it, with LICENSE


def build_notices() -> None:
    BUILD.mkdir(parents=True, exist_ok=True)
    NOTICES.write_text(load_script("notices").render(), encoding="utf-8")


def build_bundle() -> None:
    if not (ICONS / "vaultbrowser.ico").exists():
        build_icons()
    build_notices()
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"), str(SPEC)])
    check_bundle(BUNDLE_CONTENT)
    # The licence and the third-party notices, beside the program in every installer.
    legal = (BUNDLE_CONTENT / "Resources") if sys.platform == "darwin" else BUNDLE
    shutil.copy2(ROOT / "LICENSE", legal / "LICENSE.txt")
    shutil.copy2(NOTICES, legal / "THIRD_PARTY_NOTICES.txt")
    if sys.platform.startswith("linux"):
        missing = unresolved_libraries(BUNDLE)
        if missing:
            raise BuildError("The bundle links libraries this build host lacks: "
                             + ", ".join(sorted(missing)) + ". Install them (packaging/README"
                             ".md lists the Debian packages) and build again.")
    print(f"bundle: {BUNDLE} ({tree_size(BUNDLE) / 2**20:.0f} MiB)")


# The Python modules of PySide6 the app imports; the spec excludes the others.
QT_MODULES_USED = {"QtCore", "QtGui", "QtWidgets"}
BUNDLE_CONTENT = (DIST / f"{APP_NAME}.app" / "Contents") if sys.platform == "darwin" else BUNDLE


def check_bundle(folder: Path) -> None:
    """What the spec promises: no GTK from the build host, no Qt module the app does not use,
    the icon and desktop files in resources/."""
    files = [path for path in folder.rglob("*") if path.is_file() or path.is_symlink()]
    leaked = sorted(str(path) for path in files if "gtk" in path.name.lower())
    if leaked:
        raise BuildError("GTK leaked into the bundle: " + ", ".join(leaked))
    modules = {path.name.split(".")[0] for path in files
               if path.parent.name == "PySide6" and path.name.startswith("Qt")
               and path.suffix in (".so", ".pyd")}
    if modules != QT_MODULES_USED:
        raise BuildError(f"PySide6 modules in the bundle: {sorted(modules)}; expected "
                         f"{sorted(QT_MODULES_USED)} (packaging/vaultbrowser.spec excludes)")
    icon = [path for path in files if path.name == "vaultbrowser.svg"
            and path.parent.name == "icons"]
    if not icon:
        raise BuildError("resources/icons/vaultbrowser.svg is not in the bundle")


# ---------------------------------------------------------------- Linux: ELF and Debian helpers

def elf_files(folder: Path) -> Iterable[Path]:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def needed_libraries(path: Path) -> list[str]:
    dynamic = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True,
                             check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)


def system_library_paths() -> dict[str, str]:
    """SONAME → path of the x86-64/arm64 libraries the dynamic linker knows."""
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    machine = "x86-64" if platform.machine() == "x86_64" else "AArch64"
    found: dict[str, str] = {}
    for line in cache.splitlines():
        match = re.match(r"\s+(\S+) \((.+?)\) => (\S+)", line)
        if match and machine in match.group(2):
            found.setdefault(match.group(1), match.group(3))
    return found


def external_libraries(folder: Path) -> dict[str, set[str]]:
    """SONAMEs that ELF files under ``folder`` need and the folder does not hold → users."""
    bundled = {path.name for path in folder.rglob("*.so*")}
    users: dict[str, set[str]] = {}
    for path in elf_files(folder):
        for soname in needed_libraries(path):
            if soname not in bundled:
                users.setdefault(soname, set()).add(path.name)
    return users


def unresolved_libraries(folder: Path) -> set[str]:
    known = system_library_paths()
    return {soname for soname in external_libraries(folder) if soname not in known}


def owning_package(path: str) -> str:
    """The Debian package that installed ``path``.

    With merged /usr, the linker cache and dpkg's database may name one file differently
    (/lib/x86_64-linux-gnu/… or /usr/lib/x86_64-linux-gnu/…, a symlink or its target), so
    every spelling is asked for."""
    spellings: list[str] = []
    for name in (path, os.path.realpath(path)):
        spellings.append(name)
        if name.startswith("/lib/"):
            spellings.append("/usr" + name)
        elif name.startswith("/usr/lib/"):
            spellings.append(name.removeprefix("/usr"))
    for candidate in dict.fromkeys(spellings):
        result = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True,
                                text=True)
        for line in result.stdout.splitlines() if result.returncode == 0 else []:
            # "libxcb1:amd64: /path", or "pkg-a, pkg-b: /path" for a shared path; never a
            # "diversion by …" line.
            owners, _, owned = line.rpartition(": ")
            if owned == candidate and not owners.startswith("diversion"):
                return owners.split(",")[0].strip().split(":")[0]
    raise BuildError(f"No Debian package owns {path}: it cannot be declared in Depends.")


def glibc_floor(folder: Path) -> str:
    """The newest GLIBC_x.y symbol version any ELF file in ``folder`` asks for."""
    newest = (2, 17)
    for path in elf_files(folder):
        versions = subprocess.run(["readelf", "-V", str(path)], capture_output=True,
                                  text=True).stdout
        for major, minor in re.findall(r"Name: GLIBC_(\d+)\.(\d+)", versions):
            newest = max(newest, (int(major), int(minor)))
    return f"{newest[0]}.{newest[1]}"


def debian_depends(folder: Path) -> list[str]:
    known = system_library_paths()
    packages: set[str] = set()
    for soname in external_libraries(folder):
        if soname not in known:
            raise BuildError(f"{soname} is needed but not installed on the build host.")
        packages.add(owning_package(known[soname]))
    packages.discard("libc6")
    # Qt renders text with the system's fonts through fontconfig: without one font installed,
    # every label is empty. fontconfig brings the configuration and a default font.
    return [f"libc6 (>= {glibc_floor(folder)})", "fontconfig", *sorted(packages)]


def tree_size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())


def build_deb() -> Path:
    if not (BUNDLE / APP_NAME).exists():
        raise BuildError(f"No bundle at {BUNDLE}: run `python packaging/build.py bundle` first.")
    for tool in ("dpkg-deb", "readelf", "dpkg"):
        if shutil.which(tool) is None:
            raise BuildError(f"`{tool}` is missing (Debian packages dpkg, binutils).")
    architecture = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                                  text=True, check=True).stdout.strip()
    stage = BUILD / "deb" / "root"
    if stage.exists():
        shutil.rmtree(stage)
    prefix = stage / INSTALL_PREFIX.lstrip("/")
    shutil.copytree(BUNDLE, prefix, symlinks=True)
    removed = [path for path in prefix.rglob("*.so*")
               if path.name.startswith(SYSTEM_LIBRARY_PREFIXES)]
    for path in removed:
        path.unlink()
    depends = debian_depends(prefix)

    share = stage / "usr" / "share"
    (stage / "usr" / "bin").mkdir(parents=True)
    # Relative, so the staged tree is right wherever it is unpacked (dpkg keeps it as is).
    (stage / "usr" / "bin" / APP_NAME).symlink_to(
        os.path.relpath(f"{INSTALL_PREFIX}/{APP_NAME}", "/usr/bin"))
    for name, folder in ((f"{APP_ID}.desktop", "applications"),
                         (f"{APP_ID}.metainfo.xml", "metainfo")):
        (share / folder).mkdir(parents=True)
        shutil.copy2(ROOT / "resources" / name, share / folder / name)
    shutil.copytree(ICONS / "hicolor", share / "icons" / "hicolor")
    manual = share / "man" / "man1"
    manual.mkdir(parents=True)
    with gzip.GzipFile(manual / f"{APP_NAME}.1.gz", "wb", compresslevel=9, mtime=0) as page:
        page.write(load_script("make_manpage").render().encode("utf-8"))
    doc = share / "doc" / APP_NAME
    doc.mkdir(parents=True)
    shutil.copy2(ROOT / "LICENSE", doc / "LICENSE")  # the bundle's copies are in /opt too
    shutil.copy2(BUNDLE / "THIRD_PARTY_NOTICES.txt", doc / "THIRD_PARTY_NOTICES.txt")
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {APP_NAME}\nSource: {HOMEPAGE}\n\n"
        "Files: *\nCopyright: vaultbrowser contributors\nLicense: MIT\n\n"
        f"Files: {INSTALL_PREFIX}/_internal/*\nCopyright: their respective authors\n"
        "License: various (Python, Qt/PySide6: LGPL-3, Azure SDK: MIT, aiohttp: Apache-2.0,"
        " cryptography: Apache-2.0 or BSD-3-Clause, OpenSSL: Apache-2.0)\n",
        encoding="utf-8")
    with gzip.GzipFile(doc / "changelog.gz", "wb", mtime=0) as changelog:
        changelog.write(f"{APP_NAME} ({__version__}) stable; urgency=medium\n\n"
                        "  * See https://github.com/vaultbrowser/vaultbrowser/releases\n\n"
                        f" -- {MAINTAINER}  Mon, 30 Nov 2026 00:00:00 +0000\n".encode())

    control = stage / "DEBIAN"
    control.mkdir()
    installed_kib = (tree_size(stage) + 1023) // 1024
    (control / "control").write_text(
        f"Package: {APP_NAME}\nVersion: {__version__}\nArchitecture: {architecture}\n"
        f"Maintainer: {MAINTAINER}\nInstalled-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        "Suggests: nodejs\n"  # with Azurite (npm) the demo shows Blob Storage too
        f"Section: utils\nPriority: optional\nHomepage: {HOMEPAGE}\n"
        f"Description: {SUMMARY}\n"
        " Browse Key Vault secrets, certificates and keys and Blob Storage containers\n"
        " and blobs in lazily paged trees, with the HTTP status and headers of every\n"
        " call, typed errors, a read-only audit mode enforced in the HTTP pipeline and\n"
        " audit reports. Runs a demo on a bundled Key Vault emulator without an\n"
        " Azure account.\n", encoding="utf-8")
    for path in stage.rglob("*"):  # 0755 folders and programs, 0644 the rest (libraries too)
        if not path.is_symlink():
            runnable = os.access(path, os.X_OK) and ".so" not in path.name
            path.chmod(0o755 if path.is_dir() or runnable else 0o644)
    output = DIST / f"{APP_NAME}_{__version__}_{architecture}.deb"
    temporary = output.with_name(output.name + ".part")
    run(["dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(stage), str(temporary)])
    os.replace(temporary, output)  # never a half-written .deb under the final name
    print(f"deb: {output} ({output.stat().st_size / 2**20:.1f} MiB); "
          f"{len(removed)} system libraries left to Depends: {', '.join(depends)}")
    return output


# ---------------------------------------------------------------- Windows and macOS installers

def build_nsis() -> Path:
    makensis = shutil.which("makensis") or r"C:\Program Files (x86)\NSIS\makensis.exe"
    if not Path(makensis).exists():
        raise BuildError("makensis (NSIS 3) is not installed.")
    output = DIST / f"{APP_NAME}-{__version__}-setup.exe"
    numeric = ".".join((re.findall(r"\d+", __version__) + ["0"] * 4)[:4])
    run([makensis, "-V2", "-WX", f"-DVERSION={__version__}", f"-DVERSION4={numeric}",
         f"-DSOURCE_DIR={BUNDLE}", f"-DOUTFILE={output}", f"-DICON={ICONS / 'vaultbrowser.ico'}",
         str(ROOT / "packaging" / "windows" / "vaultbrowser.nsi")])
    return output


def build_dmg() -> None:
    run(["bash", str(ROOT / "packaging" / "macos" / "build_dmg.sh")])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", nargs="?", choices=["icons", "bundle", "deb", "nsis", "dmg"])
    args = parser.parse_args(argv)
    steps = {"icons": build_icons, "bundle": build_bundle, "deb": build_deb,
             "nsis": build_nsis, "dmg": build_dmg}
    try:
        if args.step:
            steps[args.step]()
            return 0
        build_icons()
        build_bundle()
        if sys.platform.startswith("linux"):
            build_deb()
        elif sys.platform == "win32":
            build_nsis()
        elif sys.platform == "darwin":
            build_dmg()
    except (BuildError, subprocess.CalledProcessError) as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
