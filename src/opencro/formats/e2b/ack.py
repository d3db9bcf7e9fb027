"""ICH E2B(R3) acknowledgements (MCCI_IN200101UV01): read a partner's, write one for a batch OpenCRO received.

The element ids (ACK.M.*, ACK.A.*, ACK.B.r.*) and OIDs follow the ICH E2B(R3) implementation guide's acknowledgement
message (Appendix I(A) of the IG package: "ICH ICSR Acknowledgement Specification"); FDA's examples R3ack-positive.ack
and R3ack-negative.ack have exactly this layout.

- batch: ACK.M.1 acknowledgement batch number (OID .3.20), ACK.M.2 sender (.3.17), ACK.M.3 receiver (.3.18), ACK.M.4
  date; ACK.A.1 the acknowledged ICSR batch number (.3.22), ACK.A.2 local message number (.3.21), ACK.A.3 date of the
  ICSR batch, ACK.A.4 code AA (accepted), AE (accepted with errors) or AR (rejected), ACK.A.5 batch error text;
- per ICSR message: ACK.B.r.1 message number (.3.1), ACK.B.r.2 local report number (.3.19), ACK.B.r.3 receiver
  (.3.16), ACK.B.r.4 sender (.3.15), ACK.B.r.5 date of the ICSR message, ACK.B.r.6 code CA (accepted) or CR
  (rejected), ACK.B.r.7 error/warning text.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from lxml import etree

from opencro.formats.e2b.elements import HL7, XSI
from opencro.formats.e2b.rules import BATCH_ROOT, MESSAGE, RuleFailure
from opencro.formats.errors import FormatError, Problem
from opencro.formats.xmlsafe import parse_xml

ACK_ROOT = f"{{{HL7}}}MCCI_IN200101UV01"
ACK_MESSAGE = f"{{{HL7}}}MCCI_IN000002UV01"
OID = "2.16.840.1.113883.3.989.2.1.3."
KEYWORDS = "2.16.840.1.113883.3.989.2.1.1.24"
BATCH_CODES = ("AA", "AE", "AR")
MESSAGE_CODES = ("CA", "CR")
_NS = {"h": HL7}


@dataclass(frozen=True)
class MessageAck:
    """The acknowledgement of one ICSR message (ACK.B.r)."""

    code: str
    message_id: str
    local_report_number: str | None
    receiver: str | None
    sender: str | None
    message_created: str | None
    detail: str | None
    created: str | None = None

    @property
    def accepted(self) -> bool:
        """True for CA (the ICSR message was accepted)."""
        return self.code == "CA"

    @property
    def identifiers(self) -> tuple[str, ...]:
        """The ids ACK.B.r.1 names: FDA sends the message id (N.2.r.1) and the safety report id (C.1.1) together."""
        return tuple(self.message_id.split())


@dataclass(frozen=True)
class Acknowledgement:
    """An ICH E2B(R3) acknowledgement of one ICSR batch, with its per-message acknowledgements."""

    ack_batch_id: str
    created: str
    sender: str | None
    receiver: str | None
    code: str
    batch_id: str
    local_message_number: str | None
    batch_transmitted: str | None
    detail: str | None
    messages: tuple[MessageAck, ...]

    @property
    def rejected(self) -> tuple[MessageAck, ...]:
        """The messages acknowledged CR."""
        return tuple(m for m in self.messages if not m.accepted)


def _id(node: etree._Element, path: str, oid_tail: str) -> str | None:
    found = node.xpath(f"{path}[@root='{OID}{oid_tail}']/@extension", namespaces=_NS)
    return str(found[0]) if found else None


def _attention(node: etree._Element, code: str, attribute: str) -> str | None:
    found = node.xpath(f"h:attentionLine[h:keyWordText[@code='{code}']]/h:value/@{attribute}", namespaces=_NS)
    return str(found[0]) if found else None


def _text(node: etree._Element, path: str) -> str | None:
    found = node.xpath(f"{path}/text()", namespaces=_NS)
    return ("".join(str(t) for t in found).strip() or None) if found else None


def _code(node: etree._Element, allowed: tuple[str, ...], what: str, element: str) -> str:
    ack = node.find("h:acknowledgement", _NS)
    if ack is None:
        raise FormatError(Problem(f"line {node.sourceline}, {element}", f"{what} has no acknowledgement element"))
    code = ack.get("typeCode", "")
    if code not in allowed:
        where = f"line {ack.sourceline}, {element}"
        raise FormatError(Problem(where, f"acknowledgement code {code!r} is not one of {', '.join(allowed)}"))
    return code


def _message(node: etree._Element) -> MessageAck:
    message_id = _id(node, "h:acknowledgement/h:targetMessage/h:id", "1")
    if message_id is None:
        where = f"line {node.sourceline}, ACK.B.r.1"
        raise FormatError(Problem(where, "message acknowledgement names no ICSR message (targetMessage/id)"))
    created = node.find("h:creationTime", _NS)
    return MessageAck(
        code=_code(node, MESSAGE_CODES, "message acknowledgement", "ACK.B.r.6"),
        message_id=message_id,
        local_report_number=_id(node, "h:id", "19"),
        receiver=_id(node, "h:receiver/h:device/h:id", "16"),
        sender=_id(node, "h:sender/h:device/h:id", "15"),
        message_created=_attention(node, "1", "value"),
        detail=_text(node, "h:acknowledgement/h:acknowledgementDetail/h:text"),
        created=created.get("value") if created is not None else None,
    )


def read_ack(source: str | Path | bytes | IO[bytes]) -> Acknowledgement:
    """Read an E2B(R3) acknowledgement; FormatError (located) when the file is not one."""
    tree = parse_xml(str(source) if isinstance(source, Path) else source)
    root = tree.getroot()
    if root.tag != ACK_ROOT:
        found = "an ICSR batch (MCCI_IN200100UV01)" if root.tag == BATCH_ROOT else root.tag
        where = f"line {root.sourceline}"
        raise FormatError(Problem(where, f"not an E2B(R3) acknowledgement (MCCI_IN200101UV01): the root is {found}"))
    batch_id = _id(root, "h:acknowledgement/h:targetBatch/h:id", "22")
    if batch_id is None:
        raise FormatError(Problem(f"line {root.sourceline}, ACK.A.1", "acknowledgement names no ICSR batch"))
    ack_batch_id = _id(root, "h:id", "20")
    created = root.find("h:creationTime", _NS)
    if ack_batch_id is None or created is None:
        raise FormatError(Problem(f"line {root.sourceline}, ACK.M.1", "acknowledgement batch number or date missing"))
    return Acknowledgement(
        ack_batch_id=ack_batch_id,
        created=created.get("value", ""),
        sender=_id(root, "h:sender/h:device/h:id", "17"),
        receiver=_id(root, "h:receiver/h:device/h:id", "18"),
        code=_code(root, BATCH_CODES, "the batch", "ACK.A.4"),
        batch_id=batch_id,
        local_message_number=_attention(root, "2", "extension"),
        batch_transmitted=_attention(root, "3", "value"),
        detail=_text(root, "h:acknowledgement/h:acknowledgementDetail/h:text"),
        messages=tuple(_message(node) for node in root.iterchildren(ACK_MESSAGE)),
    )


# ----- writing --------------------------------------------------------------------------------------------------


def _el(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{HL7}}}{name}", dict(attributes))


def _device(parent: etree._Element, role: str, type_code: str, value: str, oid_tail: str) -> None:
    device = _el(_el(parent, role, typeCode=type_code), "device", classCode="DEV", determinerCode="INSTANCE")
    _el(device, "id", extension=value, root=OID + oid_tail)


def _attention_line(parent: etree._Element, code: str, name: str, xsi_type: str, **value: str) -> None:
    line = _el(parent, "attentionLine")
    _el(line, "keyWordText", code=code, codeSystem=KEYWORDS, codeSystemVersion="1.0", displayName=name)
    _el(line, "value", **value).set(f"{{{XSI}}}type", xsi_type)


def _ack(parent: etree._Element, code: str, target: str, target_id: str, oid_tail: str, detail: str | None) -> None:
    ack = _el(parent, "acknowledgement", typeCode=code)
    _el(_el(ack, target), "id", extension=target_id, root=OID + oid_tail)
    if detail:
        _el(_el(ack, "acknowledgementDetail"), "text").text = detail


def write_ack(ack: Acknowledgement) -> bytes:
    """Serialise an acknowledgement as MCCI_IN200101UV01 XML (UTF-8, with declaration)."""
    root = etree.Element(ACK_ROOT, nsmap={None: HL7, "xsi": XSI}, ITSVersion="XML_1.0")
    _el(root, "id", extension=ack.ack_batch_id, root=OID + "20")
    _el(root, "creationTime", value=ack.created)
    _el(root, "responseModeCode", code="D")
    _el(root, "interactionId", extension="MCCI_IN200101UV01", root="2.16.840.1.113883.1.6")
    for message in ack.messages:
        node = _el(root, "MCCI_IN000002UV01")
        if message.local_report_number:
            _el(node, "id", extension=message.local_report_number, root=OID + "19")
        _el(node, "creationTime", value=message.created or ack.created)
        _el(node, "interactionId", extension="MCCI_IN000002UV01", root="2.16.840.1.113883.1.6")
        _el(node, "processingCode", code="P")
        _el(node, "processingModeCode", code="T")
        _el(node, "acceptAckCode", code="NE")
        if message.receiver:
            _device(node, "receiver", "RCV", message.receiver, "16")
        if message.sender:
            _device(node, "sender", "SND", message.sender, "15")
        if message.message_created:
            _attention_line(node, "1", "dateOfIcsrMessageCreation", "TS", value=message.message_created)
        _ack(node, message.code, "targetMessage", message.message_id, "1", message.detail)
    if ack.receiver:
        _device(root, "receiver", "RCV", ack.receiver, "18")
    if ack.sender:
        _device(root, "sender", "SND", ack.sender, "17")
    if ack.local_message_number:
        _attention_line(
            root, "2", "acknowledgementLocalMessageNumber", "II", extension=ack.local_message_number, root=OID + "21"
        )
    if ack.batch_transmitted:
        _attention_line(root, "3", "dateOfIcsrBatchTransmission", "TS", value=ack.batch_transmitted)
    _ack(root, ack.code, "targetBatch", ack.batch_id, "22", ack.detail)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _first(node: etree._Element, path: str) -> str | None:
    found = node.xpath(path, namespaces=_NS)
    return str(found[0]) if found else None


def acknowledge_batch(
    batch: etree._ElementTree | bytes | str | Path,
    failures: Sequence[RuleFailure],
    *,
    ack_batch_id: str,
    sender: str,
    created: datetime | None = None,
) -> Acknowledgement:
    """Build the acknowledgement OpenCRO returns for a received ICSR batch, from the rule failures found in it.

    A message with an error is rejected (CR) with its errors as ACK.B.r.7; the batch is AA when every message is
    accepted, AE when some are rejected, and AR (no message acknowledgements) when the batch itself fails a rule or
    holds no message. `sender` is OpenCRO's identifier (ACK.M.2, ACK.B.r.4 defaults to the message's receiver).
    """
    tree = (
        batch if isinstance(batch, etree._ElementTree) else parse_xml(str(batch) if isinstance(batch, Path) else batch)
    )
    root = tree.getroot()
    if root.tag != BATCH_ROOT:
        raise FormatError(Problem(f"line {root.sourceline}", "not an E2B(R3) ICSR batch (MCCI_IN200100UV01)"))
    stamp = (created or datetime.now(UTC)).strftime("%Y%m%d%H%M%S%z")
    errors = [f for f in failures if f.severity == "error"]
    batch_errors = [f for f in errors if f.message_index is None]
    message_nodes = list(root.iterchildren(MESSAGE))
    acks = []
    if not batch_errors and message_nodes:
        for index, node in enumerate(message_nodes, start=1):
            mine = [f for f in errors if f.message_index == index]
            acks.append(
                MessageAck(
                    code="CR" if mine else "CA",
                    message_id=_first(node, f"h:id[@root='{OID}1']/@extension") or "",
                    local_report_number=f"{ack_batch_id}-{index}",
                    receiver=_first(node, f"h:sender/h:device/h:id[@root='{OID}11']/@extension"),
                    sender=_first(node, f"h:receiver/h:device/h:id[@root='{OID}12']/@extension") or sender,
                    message_created=_first(node, "h:creationTime/@value"),
                    detail="; ".join(f"{f.element}: {f.message}" for f in mine) or "ICSR message accepted",
                    created=stamp,
                )
            )
    if batch_errors or not message_nodes:
        code = "AR"
        detail = "; ".join(f"{f.element}: {f.message}" for f in batch_errors) or "the batch holds no ICSR message"
    elif any(not a.accepted for a in acks):
        code, detail = "AE", "some ICSR message(s) need further action"
    else:
        code, detail = "AA", "message successfully processed, no further action"
    return Acknowledgement(
        ack_batch_id=ack_batch_id,
        created=stamp,
        sender=sender,
        receiver=_first(root, f"h:sender/h:device/h:id[@root='{OID}13']/@extension"),
        code=code,
        batch_id=_first(root, f"h:id[@root='{OID}22']/@extension") or "",
        local_message_number=ack_batch_id,
        batch_transmitted=_first(root, "h:creationTime/@value"),
        detail=detail,
        messages=tuple(acks),
    )
