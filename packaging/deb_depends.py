"""Which system packages a one-folder bundle needs, found with ldd over every ELF in it.

    python packaging/deb_depends.py BUNDLE_DIR
prints the Depends line (one package per library the bundle does not carry, libc6 versioned
by the newest GLIBC_ symbol any ELF requires) and a report on stderr. Exits 1 if a library is
found neither in the bundle nor on this system.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path

#: Loaded at run time with dlopen (PortAudio, through sounddevice's cffi) or run as programs
#: (Qt opens URLs with sensible-browser), so ldd cannot see them.
DLOPENED = ["libportaudio2", "sensible-utils"]


def elf_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    yield path


@functools.cache
def package_of(library: str) -> str | None:
    candidates = [library, str(Path(library).resolve())]
    candidates += [c.replace("/usr/lib/", "/lib/", 1) for c in candidates if c.startswith("/usr/lib/")]
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":", 1)[0].strip()
    return None


def glibc_needed(path: Path) -> tuple[int, ...]:
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
    versions = [tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out)]
    return max(versions, default=(0,))


def main() -> int:
    bundle = Path(sys.argv[1]).resolve()
    packages: dict[str, set[str]] = {}
    missing: dict[str, set[str]] = {}
    newest_glibc: tuple[tuple[int, ...], str] = ((0,), "")
    for elf in elf_files(bundle):
        glibc = glibc_needed(elf)
        if glibc > newest_glibc[0]:
            newest_glibc = (glibc, str(elf.relative_to(bundle)))
        out = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, cwd=elf.parent).stdout
        for line in out.splitlines():
            m = re.match(r"\s*(\S+) => (not found|(\S+))", line)
            if not m:
                continue
            name, target = m.group(1), m.group(3)
            if target is None:
                missing.setdefault(name, set()).add(str(elf.relative_to(bundle)))
            elif not target.startswith(str(bundle)):
                package = package_of(target)
                if package is None:
                    missing.setdefault(name, set()).add(str(elf.relative_to(bundle)))
                else:
                    packages.setdefault(package, set()).add(name)
    for package in DLOPENED:
        packages.setdefault(package, set()).add("(dlopen or exec)")
    glibc = ".".join(map(str, newest_glibc[0]))
    for package, libs in sorted(packages.items()):
        print(f"  {package}: {', '.join(sorted(libs))}", file=sys.stderr)
    print(f"newest glibc symbol: GLIBC_{glibc} (in {newest_glibc[1]})", file=sys.stderr)
    if missing:
        for name, users in sorted(missing.items()):
            print(f"MISSING {name} (needed by {', '.join(sorted(users)[:3])})", file=sys.stderr)
        return 1
    depends = [f"libc6 (>= {glibc})" if p == "libc6" else p for p in sorted(packages)]
    print(", ".join(depends))
    return 0


if __name__ == "__main__":
    sys.exit(main())
