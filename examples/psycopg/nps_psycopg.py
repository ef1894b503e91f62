"""nps_ext's types for psycopg 3: `nps_summary` as `NpsSummary` in text and binary formats, and
`nps_category` as the Python enum `NpsCategory`.

Copy this file into your project and call `register(conn)` once per connection (for a pool:
`ConnectionPool(..., configure=register)`; for SQLAlchemy: an engine "connect" event). Then
summaries come back as `NpsSummary` objects, from text and binary results alike, and
`NpsSummary` objects can be sent as parameters (`%s`, `%t` or `%b`).

The formats are those of docs/summaries.md; this module decodes them itself, without the
extension's code:

    binary  byte 0 version (1), byte 1 flags (0x01: weights follow), the 11 counts of answers
            0..10 as unsigned LEB128 varints, then with weights 12 little-endian doubles: the
            weight sum of each answer and the sum of squared weights
    text    v1:c0,...,c10[;weights=w0,...,w10;squares=s]
"""
import enum
import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional, Tuple

from psycopg import pq
from psycopg.adapt import Dumper, Loader
from psycopg.types import TypeInfo
from psycopg.types.enum import EnumInfo, register_enum

ANSWERS = 11
VERSION = 1
WEIGHTED = 0x01
MAX_COUNT = 2**63 - 1


class NpsCategory(enum.Enum):
    """nps_category: ordered detractor < passive < promoter in SQL."""
    detractor = "detractor"
    passive = "passive"
    promoter = "promoter"


@dataclass(frozen=True)
class NpsSummary:
    """The contents of an nps_summary: counts of answers 0..10, and for weighted summaries the
    weight sum of each answer and the sum of squared weights."""
    counts: Tuple[int, ...]
    weights: Optional[Tuple[float, ...]] = None
    squares: Optional[float] = None

    def __post_init__(self):
        if len(self.counts) != ANSWERS or not all(0 <= c <= MAX_COUNT for c in self.counts):
            raise ValueError(f"an nps_summary has 11 counts from 0 to {MAX_COUNT}: {self.counts}")
        if (self.weights is None) != (self.squares is None):
            raise ValueError("weights and squares come together")
        if self.weights is not None and len(self.weights) != ANSWERS:
            raise ValueError("an nps_summary has 11 weight sums")

    @property
    def responses(self) -> int:
        return sum(self.counts)

    @property
    def promoters(self) -> int:
        return self.counts[9] + self.counts[10]

    @property
    def detractors(self) -> int:
        return sum(self.counts[:7])

    @property
    def nps(self) -> Optional[float]:
        """100 * (promoters - detractors) / responses, by weight when weighted; None if empty."""
        if self.weights is None:
            if self.responses == 0:
                return None
            return float(Fraction(100 * (self.promoters - self.detractors), self.responses))
        total = sum(self.weights)
        if total == 0:
            return None
        return 100 * (self.weights[9] + self.weights[10] - sum(self.weights[:7])) / total

    # -- binary --------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        out = bytearray([VERSION, WEIGHTED if self.weights is not None else 0])
        for count in self.counts:
            while True:
                low, count = count & 0x7F, count >> 7
                out.append(low | (0x80 if count else 0))
                if not count:
                    break
        if self.weights is not None:
            out += struct.pack("<12d", *self.weights, self.squares)
        return bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> "NpsSummary":
        data = bytes(data)
        if len(data) < 2 or data[0] != VERSION:
            raise ValueError(f"unknown nps_summary format version {data[:1].hex()}")
        flags = data[1]
        if flags & ~WEIGHTED:
            raise ValueError(f"unknown nps_summary flags {flags:#04x}")
        pos, counts = 2, []
        for _ in range(ANSWERS):
            value = shift = 0
            while True:
                if pos >= len(data) or shift > 63:
                    raise ValueError("truncated or oversized nps_summary count")
                byte = data[pos]
                pos += 1
                value |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            counts.append(value)
        weights = squares = None
        if flags & WEIGHTED:
            if len(data) < pos + 96:
                raise ValueError("truncated nps_summary weights")
            *weights, squares = struct.unpack_from("<12d", data, pos)
            weights, pos = tuple(weights), pos + 96
        if pos != len(data):
            raise ValueError(f"{len(data) - pos} trailing bytes after an nps_summary")
        return cls(tuple(counts), weights, squares)

    # -- text ----------------------------------------------------------------------------------
    def to_text(self) -> str:
        text = "v1:" + ",".join(map(str, self.counts))
        if self.weights is not None:
            # repr() is the shortest decimal that reads back to the same double
            text += ";weights=" + ",".join(map(repr, self.weights)) + f";squares={self.squares!r}"
        return text

    @classmethod
    def from_text(cls, text: str) -> "NpsSummary":
        version, _, body = text.strip().partition(":")
        if version != "v1":
            raise ValueError(f"unknown nps_summary text form {text[:40]!r}")
        counts, _, weighted = body.partition(";")
        weights = squares = None
        if weighted:
            sums, _, squares_part = weighted.partition(";")
            weights = tuple(float(w) for w in sums.removeprefix("weights=").split(","))
            squares = float(squares_part.removeprefix("squares="))
        return cls(tuple(int(c) for c in counts.split(",")), weights, squares)


class _TextLoader(Loader):
    def load(self, data):
        return NpsSummary.from_text(bytes(data).decode())


class _BinaryLoader(Loader):
    format = pq.Format.BINARY

    def load(self, data):
        return NpsSummary.from_bytes(data)


class _TextDumper(Dumper):
    def dump(self, obj):
        return obj.to_text().encode()


class _BinaryDumper(Dumper):
    format = pq.Format.BINARY

    def dump(self, obj):
        return obj.to_bytes()


def register(context) -> None:
    """Register nps_summary and nps_category on a connection (or cursor). The type OIDs differ
    from database to database, so they are looked up here."""
    info = TypeInfo.fetch(context, "nps_summary")
    if info is None:
        raise RuntimeError("nps_summary not found: CREATE EXTENSION nps_ext in this database")
    adapters = context.adapters
    # dumpers need the OID so that PostgreSQL knows the parameter's type
    adapters.register_dumper(NpsSummary, type("NpsSummaryTextDumper", (_TextDumper,), {"oid": info.oid}))
    adapters.register_dumper(NpsSummary, type("NpsSummaryBinaryDumper", (_BinaryDumper,), {"oid": info.oid}))
    adapters.register_loader(info.oid, _TextLoader)
    adapters.register_loader(info.oid, _BinaryLoader)
    info.register(context)  # nps_summary[] too
    register_enum(EnumInfo.fetch(context, "nps_category"), context, NpsCategory)
