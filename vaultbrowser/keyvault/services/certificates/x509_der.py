"""Just enough DER to take a certificate's extensions apart (Qt-free, SDK-free).

``cryptography`` decodes a certificate's extensions all at once, on first access, and fails the
whole set for one bad extension (a duplicate, a malformed subjectAltName, an unknown critical
encoding). To show what *can* be decoded, ``x509.py`` needs the extensions one by one: this
module lists them (OID, critical flag, value) and rebuilds the certificate's DER with a chosen
subset. The rebuilt certificate's signature no longer matches, which does not matter: it is
only parsed, never verified or shown.

Raises ``ValueError`` for anything that is not the DER it expects.
"""

from __future__ import annotations

from dataclasses import dataclass

_SEQUENCE = 0x30
_EXTENSIONS_TAG = 0xA3  # [3] EXPLICIT in TBSCertificate
_OID = 0x06
_BOOLEAN = 0x01


@dataclass(frozen=True, slots=True)
class RawExtension:
    oid: str
    critical: bool
    der: bytes  # the whole Extension SEQUENCE, as found


def _read(data: bytes, offset: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the element at ``offset``."""
    if offset + 2 > len(data):
        raise ValueError("truncated DER element")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte DER tags are not used in certificates")
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[start:start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise ValueError("DER element longer than its container")
    return tag, start, end


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, end) of each element in ``data[start:end]``."""
    out = []
    offset = start
    while offset < end:
        tag, content, stop = _read(data, offset)
        if stop > end:
            raise ValueError("DER element overruns its parent")
        out.append((tag, offset, content, stop))
        offset = stop
    return out


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _element(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def decode_oid(content: bytes) -> str:
    """A dotted OID from an OBJECT IDENTIFIER's content bytes."""
    if not content:
        raise ValueError("empty OID")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if content[-1] & 0x80:
        raise ValueError("truncated OID")
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(arc) for arc in head + arcs[1:])


@dataclass(frozen=True, slots=True)
class CertificateLayout:
    """Where the parts of a certificate's DER are, to rebuild it with other extensions."""

    der: bytes
    tbs_parts: tuple[bytes, ...]  # the TBSCertificate's elements before [3] extensions
    tbs_after: tuple[bytes, ...]  # elements after it (none in a well-formed certificate)
    outer_after: bytes  # signatureAlgorithm and signatureValue
    extensions: tuple[RawExtension, ...]

    def with_extensions(self, chosen: tuple[RawExtension, ...]) -> bytes:
        """The certificate's DER with exactly ``chosen`` as its extensions."""
        parts = list(self.tbs_parts)
        if chosen:
            listed = _element(_SEQUENCE, b"".join(ext.der for ext in chosen))
            parts.append(_element(_EXTENSIONS_TAG, listed))
        parts.extend(self.tbs_after)
        tbs = _element(_SEQUENCE, b"".join(parts))
        return _element(_SEQUENCE, tbs + self.outer_after)


def certificate_layout(der: bytes) -> CertificateLayout:
    """Take a DER certificate apart at its extensions.

    Raises:
        ValueError: not a DER certificate as RFC 5280 lays it out.
    """
    tag, start, end = _read(der, 0)
    if tag != _SEQUENCE or end != len(der):
        raise ValueError("not a DER SEQUENCE")
    outer = _children(der, start, end)
    if len(outer) != 3 or outer[0][0] != _SEQUENCE:
        raise ValueError("a certificate has three parts")
    _, _, tbs_start, tbs_end = outer[0]
    before: list[bytes] = []
    after: list[bytes] = []
    extensions: list[RawExtension] = []
    seen_extensions = False
    for child_tag, element, content, stop in _children(der, tbs_start, tbs_end):
        if child_tag == _EXTENSIONS_TAG and not seen_extensions:
            seen_extensions = True
            extensions = _extensions(der, content, stop)
        elif seen_extensions:
            after.append(der[element:stop])
        else:
            before.append(der[element:stop])
    return CertificateLayout(der, tuple(before), tuple(after), der[outer[0][3]:end],
                             tuple(extensions))


def _extensions(der: bytes, start: int, end: int) -> list[RawExtension]:
    listed = _children(der, start, end)
    if len(listed) != 1 or listed[0][0] != _SEQUENCE:
        raise ValueError("extensions are one SEQUENCE")
    out = []
    for tag, element, content, stop in _children(der, listed[0][2], listed[0][3]):
        if tag != _SEQUENCE:
            raise ValueError("an extension is a SEQUENCE")
        fields = _children(der, content, stop)
        if not fields or fields[0][0] != _OID:
            raise ValueError("an extension starts with its OID")
        oid = decode_oid(der[fields[0][2]:fields[0][3]])
        critical = (len(fields) > 2 and fields[1][0] == _BOOLEAN
                    and der[fields[1][2]:fields[1][3]] != b"\x00")
        out.append(RawExtension(oid, critical, der[element:stop]))
    return out
