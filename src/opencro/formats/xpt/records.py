"""The fixed record layout of a SAS XPORT v5 file (SAS Institute TS-140).

A file is a sequence of 80-byte records, ASCII, blank-padded: the library header and its two
real header records, then per member a member header, a descriptor header, two member records
(name, label, type, datetimes), a NAMESTR header giving the variable count, one 140-byte NAMESTR
per variable (packed, the last record blank-padded to 80 bytes), an OBS header, and the rows
packed end to end (blank-padded to 80 bytes). Integers are big-endian; datetimes are
"ddMMMyy:hh:mm:ss".
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime

RECORD = 80
NAMESTR_LENGTH = 140

LIBRARY_HEADER = b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  "
MEMBER_HEADER = b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!000000000000000001600000000140  "
MEMBER_HEADER_PREFIX = b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!"
DESCRIPTOR_HEADER = b"HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!000000000000000000000000000000  "
NAMESTR_HEADER_PREFIX = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!"
OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!000000000000000000000000000000  "

SAS_VERSION = "9.4"
OS_NAME = "OpenCRO"

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# NAMESTR (TS-140): ntype, nhfun, nlng, nvar0 (shorts); nname[8]; nlabel[40]; nform[8]; nfl, nfd, nfj (shorts);
# nfill[2]; niform[8]; nifl, nifd (shorts); npos (long); rest[52].
_NAMESTR = struct.Struct(">hhhh8s40s8shhh2s8shhi52s")
assert _NAMESTR.size == NAMESTR_LENGTH


def pad(text: bytes, width: int) -> bytes:
    """Blank-pad `text` to `width` bytes (the caller has checked it fits)."""
    if len(text) > width:
        raise ValueError(f"{text!r} is longer than {width} bytes")
    return text + b" " * (width - len(text))


def pad_to_record(block: bytes) -> bytes:
    """Blank-pad a block to a whole number of 80-byte records."""
    remainder = len(block) % RECORD
    return block if remainder == 0 else block + b" " * (RECORD - remainder)


def format_datetime(moment: datetime) -> bytes:
    """Format a datetime as TS-140's "ddMMMyy:hh:mm:ss" (two-digit year, as the format has it)."""
    text = f"{moment.day:02d}{_MONTHS[moment.month - 1]}{moment.year % 100:02d}:{moment:%H:%M:%S}"
    return text.encode("ascii")


def parse_datetime(raw: bytes) -> datetime | None:
    """Parse "ddMMMyy:hh:mm:ss"; two-digit years below 60 are read as 20yy, others as 19yy. None if blank/bad."""
    text = raw.decode("ascii", "replace").strip()
    if len(text) != 16 or text[2:5].upper() not in _MONTHS:
        return None
    try:
        year = int(text[5:7])
        return datetime(
            2000 + year if year < 60 else 1900 + year,
            _MONTHS.index(text[2:5].upper()) + 1,
            int(text[0:2]),
            int(text[8:10]),
            int(text[11:13]),
            int(text[14:16]),
        )
    except ValueError:
        return None


def library_records(created: datetime, modified: datetime) -> bytes:
    """The library header and its two real header records."""
    first = b"SAS     SAS     SASLIB  " + pad(SAS_VERSION.encode(), 8) + pad(OS_NAME.encode(), 8) + b" " * 24
    return LIBRARY_HEADER + first + format_datetime(created) + pad(format_datetime(modified), RECORD)


def member_records(name: bytes, label: bytes, created: datetime, modified: datetime, n_variables: int) -> bytes:
    """Member and descriptor headers, the two member records and the NAMESTR header for `n_variables`."""
    first = b"SAS     " + pad(name, 8) + b"SASDATA " + pad(SAS_VERSION.encode(), 8) + pad(OS_NAME.encode(), 8)
    first += b" " * 24 + format_datetime(created)
    second = format_datetime(modified) + b" " * 16 + pad(label, 40) + b" " * 8
    namestr_header = NAMESTR_HEADER_PREFIX + f"000000{n_variables:04d}00000000000000000000  ".encode()
    return MEMBER_HEADER + DESCRIPTOR_HEADER + first + second + namestr_header


@dataclass(frozen=True)
class Namestr:
    """One NAMESTR record's fields, as bytes/ints (decoding is the reader's job)."""

    is_numeric: bool
    length: int
    number: int
    name: bytes
    label: bytes
    format_name: bytes
    format_width: int
    format_decimals: int
    informat_name: bytes
    informat_width: int
    informat_decimals: int
    position: int

    def pack(self) -> bytes:
        """Return the 140-byte record."""
        return _NAMESTR.pack(
            1 if self.is_numeric else 2,
            0,
            self.length,
            self.number,
            pad(self.name, 8),
            pad(self.label, 40),
            pad(self.format_name, 8),
            self.format_width,
            self.format_decimals,
            0,
            b"\x00\x00",
            pad(self.informat_name, 8),
            self.informat_width,
            self.informat_decimals,
            self.position,
            bytes(52),
        )

    @classmethod
    def unpack(cls, raw: bytes) -> Namestr:
        """Read a 140-byte record (a VMS 136-byte one is accepted once zero-extended by the caller)."""
        fields = _NAMESTR.unpack(raw)
        return cls(
            is_numeric=fields[0] == 1,
            length=fields[2],
            number=fields[3],
            name=fields[4],
            label=fields[5],
            format_name=fields[6],
            format_width=fields[7],
            format_decimals=fields[8],
            informat_name=fields[11],
            informat_width=fields[12],
            informat_decimals=fields[13],
            position=fields[14],
        )
