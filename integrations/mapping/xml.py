"""XML payloads to JSON-like data, through one hardened lxml parser. Pure: no Django.

Convention (documented in docs/mapping.md):

* the root element's local name is the single top-level key; namespaces prefixes are dropped;
* child elements become keys by local name; a repeated element becomes an array (in document order);
* attributes become plain keys (``id``, not ``@id``) so JSONata can address them without back quotes;
  an attribute and a child element of the same name make an array (attribute first);
* leaf text stays a string (``"007"`` keeps its zeros); whitespace around text is stripped;
* an empty element (no attributes, no children, no text) is ``null``;
* an element with attributes or children *and* text keeps the text under ``_text``
  (``<amount currency="EUR">12.50</amount>`` -> ``{"currency": "EUR", "_text": "12.50"}``);
  text split around child elements is joined;
* comments and processing instructions are ignored; CDATA is text.

Security: no DTD is loaded, no entity is resolved, no network access, no huge trees; any DOCTYPE
(which is where entity declarations live: billion laughs, external entities) is rejected outright.
"""
from __future__ import annotations

import re
from typing import Any

from lxml import etree

TEXT_KEY = "_text"
MAX_DEPTH = 256
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_:]")


class XmlPayloadError(ValueError):
    """The XML text is malformed or uses a forbidden construct (DOCTYPE, entities)."""


def _parser(encoding: str | None = None) -> etree.XMLParser:
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        strip_cdata=True,
    )


def xml_to_data(text: str | bytes) -> dict[str, Any]:
    """Parse ``text`` and convert it with the convention above; raises XmlPayloadError."""
    # bytes, because lxml refuses str input that carries an encoding declaration; text is already
    # decoded, so its UTF-8 bytes are read as UTF-8 whatever the declaration says (SAP declares ISO-8859-1)
    encoding = "utf-8" if isinstance(text, str) else None
    raw = text.encode("utf-8") if isinstance(text, str) else text
    first_element = _FIRST_ELEMENT.search(raw)
    prolog = raw[: first_element.start()] if first_element else raw
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
        raise XmlPayloadError("XML payload must not contain a DOCTYPE or entity declarations")
    try:
        root = etree.fromstring(raw, parser=_parser(encoding))
    except etree.XMLSyntaxError as exc:
        raise XmlPayloadError(f"XML payload is not well-formed: {exc}") from None
    except ValueError as exc:
        raise XmlPayloadError(f"XML payload cannot be parsed: {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XmlPayloadError("XML payload must not contain a DOCTYPE or entity declarations")
    return {_local_name(root.tag): _convert(root, 0)}


def _local_name(tag: Any) -> str:
    return etree.QName(tag).localname


def _convert(element, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise XmlPayloadError(f"XML payload is nested deeper than {MAX_DEPTH} levels")
    out: dict[str, Any] = {}
    for name, value in _attributes(element):
        _add(out, _local_name(name), value)
    texts = [element.text] if element.text else []
    for child in element:
        if isinstance(child, etree._Entity):
            raise XmlPayloadError("XML payload must not use entity references")
        if not isinstance(child.tag, str):  # comments / PIs, should they survive the parser
            if child.tail:
                texts.append(child.tail)
            continue
        _add(out, _local_name(child.tag), _convert(child, depth + 1))
        if child.tail:
            texts.append(child.tail)
    text = "".join(texts).strip()
    if not out:
        return text if text else None
    if text:
        out[TEXT_KEY] = text
    return out


_MANY_ATTRIBUTES = 64


def _attributes(element):
    """(name, value) pairs; lxml's ``attrib.items()`` is quadratic in the number of attributes
    (seconds for a hostile payload with tens of thousands), so large sets are read through ``@*``."""
    attrib = element.attrib
    if len(attrib) <= _MANY_ATTRIBUTES:
        return attrib.items()
    return [(attribute.attrname, str(attribute)) for attribute in element.xpath("@*")]


def _add(out: dict[str, Any], key: str, value: Any) -> None:
    if key not in out:
        out[key] = value
        return
    existing = out[key]
    if isinstance(existing, list):  # element values are never lists, so a list means repetition
        existing.append(value)
    else:
        out[key] = [existing, value]
