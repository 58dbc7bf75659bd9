"""Demo content for Azurite (``vaultbrowser --demo``): :func:`demo_blob_plan` describes the
containers and blobs; :mod:`.seeding` uploads them."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import random
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "DemoBlob",
    "DemoBlobSummary",
    "DemoContainer",
    "demo_blob_plan",
    "has_dot_segment",
]



@dataclass(frozen=True)
class DemoBlob:
    """One block blob to upload."""

    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    cache_control: str | None = None
    content_encoding: str | None = None
    metadata: Mapping[str, str] | None = None
    tags: Mapping[str, str] | None = None
    tier: str | None = None  # "Hot" / "Cool" / "Cold" / "Archive"


@dataclass(frozen=True)
class DemoContainer:
    """A container and the blobs it should hold."""

    name: str
    blobs: tuple[DemoBlob, ...]
    public_access: str | None = None  # None (private), "blob" or "container"
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoBlobSummary:
    """What :func:`seed_azurite_demo` did.

    ``containers`` maps each demo container to the number of planned blobs now in it;
    ``unsendable`` lists planned names that could not be uploaded (see the module docstring).
    """

    containers: Mapping[str, int]
    uploaded: int
    skipped_existing: int
    bytes_uploaded: int
    elapsed: float
    unsendable: tuple[str, ...] = ()
    created_containers: tuple[str, ...] = ()

    @property
    def total_blobs(self) -> int:
        return sum(self.containers.values())


def has_dot_segment(name: str) -> bool:
    """True for names the SDK's aiohttp transport cannot address (``.``/``..`` segments)."""
    return any(part in (".", "..") for part in name.split("/"))


# --- content generators ------------------------------------------------------------------------


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid solid-colour PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


def _pdf(title: str, lines: Sequence[str]) -> bytes:
    """A minimal valid one-page PDF with a few lines of text."""
    text = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(
        "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for s in [title, "", *lines]) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


_SERVICES = ("api-gateway", "orders-worker", "auth-service")
_PATHS = ("/api/orders", "/api/orders/{id}", "/api/cart", "/api/login", "/healthz",
          "/api/products", "/api/payments/intent")


def _log_lines(rng: random.Random, service: str, hour: dt.datetime, count: int) -> bytes:
    lines = []
    for _ in range(count):
        stamp = hour + dt.timedelta(seconds=rng.randrange(3600))
        status = rng.choices((200, 201, 204, 304, 400, 401, 404, 429, 500, 503),
                             (60, 8, 5, 5, 4, 3, 5, 2, 2, 1))[0]
        level = "ERROR" if status >= 500 else "WARN" if status >= 400 else "INFO"
        path = rng.choice(_PATHS).replace("{id}", str(rng.randrange(10_000, 99_999)))
        lines.append(json.dumps({
            "ts": stamp.isoformat().replace("+00:00", "Z"), "level": level, "service": service,
            "method": "POST" if "login" in path or "intent" in path else "GET", "path": path,
            "status": status, "duration_ms": round(rng.lognormvariate(3.2, 0.8), 1),
            "trace_id": f"{rng.getrandbits(128):032x}",
        }))
    return ("\n".join(sorted(lines)) + "\n").encode()


def _app_logs(now: dt.datetime) -> DemoContainer:
    """Three services × 24 hours × 5 days of JSON-lines logs, ``YYYY/MM/DD/service/HH.log``."""
    rng = random.Random(1121)
    day0 = now.replace(hour=0, minute=0, second=0, microsecond=0)
    blobs = []
    for back in range(5, 0, -1):
        day = day0 - dt.timedelta(days=back)
        for service in _SERVICES:
            for hour in range(24):
                stamp = day + dt.timedelta(hours=hour)
                blobs.append(DemoBlob(
                    f"{stamp:%Y/%m/%d}/{service}/{stamp:%H}-00.log",
                    _log_lines(rng, service, stamp, rng.randrange(8, 40)),
                    "application/x-ndjson",
                    metadata={"service": service, "host": f"{service}-{rng.randrange(3)}"},
                ))
        blobs.append(DemoBlob(f"{day:%Y/%m/%d}/_SUCCESS", b"", "text/plain"))
    return DemoContainer("app-logs", tuple(blobs), metadata={"retention_days": "30",
                                                             "owner": "sre"})


_CSS = """:root { --brand: #0b5cad; --ink: #1d2330; }
body { font-family: "Segoe UI", system-ui, sans-serif; color: var(--ink); margin: 0; }
.hero { background: url("../images/hero.png") center / cover; min-height: 320px; }
.btn-primary { background: var(--brand); color: #fff; border-radius: 6px; }
"""
_JS = """import { initCart } from "./cart.js";
document.addEventListener("DOMContentLoaded", () => {
  initCart(document.querySelector("#cart"));
  console.info("storefront ready");
});
"""
_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contoso Demo Store</title>
<link rel="stylesheet" href="css/site.css"><link rel="icon" href="images/favicon.png">
</head><body><header class="hero"><h1>Contoso Demo Store</h1></header>
<main id="cart"></main><script type="module" src="js/app.js"></script></body></html>
"""
_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32">
<rect width="32" height="32" rx="6" fill="#0b5cad"/><text x="40" y="22" font-size="16"
font-family="sans-serif" fill="#1d2330">Contoso</text></svg>
"""


def _website_assets() -> DemoContainer:
    long_cache = "public, max-age=31536000, immutable"
    blobs = [
        DemoBlob("index.html", _HTML.encode(), "text/html; charset=utf-8", "no-cache"),
        DemoBlob("404.html", _HTML.replace("Store</h1>", "Store: page not found</h1>").encode(),
                 "text/html; charset=utf-8", "no-cache"),
        DemoBlob("robots.txt", b"User-agent: *\nDisallow: /checkout/\n", "text/plain"),
        DemoBlob("sitemap.xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
                 b'"http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://www.'
                 b'contoso-demo.com/</loc></url></urlset>\n', "application/xml"),
        DemoBlob("manifest.webmanifest", json.dumps({"name": "Contoso Demo Store",
                                                     "start_url": "/"}).encode(),
                 "application/manifest+json"),
        DemoBlob("css/site.css", _CSS.encode(), "text/css", long_cache),
        DemoBlob("css/print.css", b"@media print { .hero, nav { display: none; } }\n",
                 "text/css", long_cache),
        DemoBlob("css/site.css.gz", gzip.compress(_CSS.encode(), mtime=0), "text/css",
                 long_cache, content_encoding="gzip"),
        DemoBlob("js/app.js", _JS.encode(), "text/javascript", long_cache),
        DemoBlob("js/cart.js", b"export function initCart(el) { el.textContent = 'Cart'; }\n",
                 "text/javascript", long_cache),
        DemoBlob("js/app.js.map", json.dumps({"version": 3, "file": "app.js", "sources": [
            "src/app.ts"], "mappings": "AAAA"}).encode(), "application/json", long_cache),
        DemoBlob("images/logo.svg", _SVG.encode(), "image/svg+xml", long_cache),
        DemoBlob("images/hero.png", _png(96, 48, (11, 92, 173)), "image/png", long_cache),
        DemoBlob("images/favicon.png", _png(32, 32, (11, 92, 173)), "image/png", long_cache),
    ]
    palette = {"red": (200, 40, 40), "green": (40, 160, 80), "amber": (230, 160, 20),
               "grey": (120, 120, 120), "navy": (20, 40, 110), "teal": (20, 140, 140)}
    for colour, rgb in palette.items():
        for size in (16, 32, 64):
            blobs.append(DemoBlob(f"images/icons/{colour}-{size}.png", _png(size, size, rgb),
                                  "image/png", long_cache))
    for sku in range(1, 13):
        blobs.append(DemoBlob(f"images/products/sku-{sku:04d}.png",
                              _png(64, 64, (sku * 20 % 256, 90, 200 - sku * 10)),
                              "image/png", long_cache))
    return DemoContainer("website-assets", tuple(blobs), public_access="blob",
                         metadata={"owner": "web", "cdn": "enabled"})


def _backups(now: dt.datetime) -> DemoContainer:
    """A few multi-megabyte "dumps" (incompressible bytes) in Hot, Cool and Archive tiers."""
    rng = random.Random(4242)
    specs = [
        ("sql/orders-prod/{d}/orders-full.bak", 4, "Hot", 0),
        ("sql/orders-prod/{d}/orders-full.bak", 4, "Cool", 7),
        ("sql/orders-prod/{d}/orders-full.bak", 3, "Archive", 35),
        ("postgres/analytics/{d}/analytics.dump.gz", 2, "Cool", 1),
        ("etc/config-{d}.tar.gz", 1, "Archive", 90),
    ]
    blobs = []
    for pattern, megabytes, tier, back in specs:
        day = now - dt.timedelta(days=back)
        data = rng.randbytes(megabytes * 1024 * 1024 - rng.randrange(50_000))
        blobs.append(DemoBlob(
            pattern.format(d=f"{day:%Y-%m-%d}"), data, "application/octet-stream",
            metadata={"source": pattern.split("/")[0], "created_by": "backup-runner",
                      "sha256": hashlib.sha256(data).hexdigest(),
                      "retention_days": "35" if tier != "Archive" else "2555"},
            tier=tier,
        ))
    blobs.append(DemoBlob("README.txt", b"Nightly backups. Archive-tier blobs must be "
                          b"rehydrated before download.\n", "text/plain", tier="Hot"))
    return DemoContainer("backups", tuple(blobs), metadata={"owner": "sre",
                                                            "classification": "confidential"})


def _reports(now: dt.datetime) -> DemoContainer:
    rng = random.Random(77)
    blobs = []
    departments = ("finance", "sales", "operations")
    for back in range(12, 0, -1):
        month = (now.replace(day=1) - dt.timedelta(days=28 * back)).replace(day=1)
        quarter = f"Q{(month.month - 1) // 3 + 1}"
        for dept in departments:
            title = f"{dept.title()} report {month:%B %Y}"
            status = "final" if back > 1 else "draft"
            meta = {"author": f"{dept}-analytics", "department": dept, "period": f"{month:%Y-%m}"}
            tags = {"department": dept, "year": f"{month:%Y}", "quarter": quarter,
                    "status": status}
            blobs.append(DemoBlob(f"{dept}/{month:%Y}/{month:%m}/{dept}-{month:%Y-%m}.pdf",
                                  _pdf(title, [f"Period: {month:%Y-%m}", f"Status: {status}"]),
                                  "application/pdf", metadata=meta, tags=tags))
            csv = "region,revenue,orders\n" + "".join(
                f"{r},{rng.randrange(10_000, 100_000)},{rng.randrange(20, 500)}\n"
                for r in ("emea", "amer", "apac"))
            blobs.append(DemoBlob(f"{dept}/{month:%Y}/{month:%m}/{dept}-{month:%Y-%m}.csv",
                                  csv.encode(), "text/csv", metadata=meta, tags=tags))
    return DemoContainer("reports", tuple(blobs), metadata={"owner": "bi"})


# Names that exercise encoding in every layer (listing, properties, download, display).
AWKWARD_NAMES: tuple[str, ...] = (
    "ünïcödé/日本語 ファイル.txt",
    "emoji 🚀/launch plan.md",
    "with space/and  double  space .txt",
    "percent%20encoded%2Fnot-a-slash.txt",
    "hash#fragment.txt",
    "question?mark=1&x=2.txt",
    "plus+sign+name.txt",
    "semi;colon,comma'quote.txt",
    "trailing-slash/",
    "dots.../name..",
    "tilde~and(paren)[bracket]{brace}.txt",
    "Ελληνικά/Кириллица/עברית.txt",
    # Invisible characters that disguise a name: a right-to-left override (shown by most
    # tools as "invoice-2026-exe.pdf") and a zero-width space.
    "invoice-2026-\u202efdp.exe",
    "zero\u200bwidth.txt",
    "deep/" + "/".join(f"level{i:02d}" for i in range(20)) + "/leaf.txt",
    "long/" + "-".join(f"segment{i:03d}" for i in range(80))[:890] + ".txt",
    # "." / ".." segments: raw PUT only (see the module docstring)
    "a/../b.txt",
    "./leading-dot.txt",
    "mid/./dot.txt",
)


def _awkward() -> DemoContainer:
    blobs = tuple(DemoBlob(name, f"name: {name}\n".encode(), "text/plain; charset=utf-8",
                           metadata={"purpose": "encoding-test"})
                  for name in AWKWARD_NAMES)
    return DemoContainer("awkward-names", blobs)


def demo_blob_plan(now: dt.datetime | None = None) -> list[DemoContainer]:
    """The demo containers: ``app-logs`` (360 logs in date folders), ``website-assets``
    (public "blob" access, correct content types), ``backups`` (multi-MB, tiers, metadata),
    ``reports`` (metadata and index tags) and ``awkward-names``."""
    now = now or dt.datetime.now(dt.UTC)
    return [_app_logs(now), _website_assets(), _backups(now), _reports(now), _awkward()]
