"""XML to JSON convention and the hardened parser: no DTD, no entities, no network, no bombs."""
import pytest

from integrations.mapping.payload import parse_payload
from integrations.mapping.results import MappingError
from integrations.mapping.xml import XmlPayloadError, xml_to_data


def test_convention():
    data = xml_to_data(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ns:Customer xmlns:ns="urn:x" ns:id="0042" type="B2C">'
        "<Name>Anna</Name><Zip>01067</Zip><Empty/><Blank>  </Blank>"
        "<Phone>1</Phone><Phone>2</Phone>"
        '<Amount currency="EUR">12.50</Amount>'
        "<Note>before <b>bold</b> after</Note>"
        "<!-- ignored --><?pi ignored?>"
        "<Raw><![CDATA[<tag> & text]]></Raw>"
        "</ns:Customer>"
    )
    assert data == {"Customer": {
        "id": "0042", "type": "B2C", "Name": "Anna", "Zip": "01067", "Empty": None, "Blank": None,
        "Phone": ["1", "2"], "Amount": {"currency": "EUR", "_text": "12.50"},
        "Note": {"b": "bold", "_text": "before  after"}, "Raw": "<tag> & text",
    }}


def test_single_child_is_not_an_array_and_attribute_clash_becomes_array():
    assert xml_to_data("<a><item>1</item></a>") == {"a": {"item": "1"}}
    assert xml_to_data('<a id="x"><id>y</id></a>') == {"a": {"id": ["x", "y"]}}


def test_character_references_and_predefined_entities_are_text():
    assert xml_to_data("<a>M&#252;ller &amp; S&lt;hn</a>") == {"a": "Müller & S<hn"}


def test_bytes_with_encoding_declaration():
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><a>M\xfcller</a>'.encode("latin-1")
    assert xml_to_data(text) == {"a": "Müller"}


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

HOSTILE = {
    "billion_laughs": BILLION_LAUGHS,
    "external_entity_file": '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
    "external_entity_http": '<!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><d>&x;</d>',
    "parameter_entity": '<!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><d/>',
    "external_dtd": '<!DOCTYPE d SYSTEM "http://127.0.0.1:9/d.dtd"><d>&x;</d>',
    "lowercase_doctype_after_comment": '<!-- c --><!doctype d [<!ENTITY x "y">]><d>&x;</d>',
    "undeclared_entity": "<d>&x;</d>",
    "xinclude": '<d xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></d>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_rejected_or_inert(name):
    text = HOSTILE[name]
    if name == "xinclude":  # not processed: stays an inert element
        assert xml_to_data(text) == {"d": {"include": {"href": "file:///etc/passwd", "parse": "text"}}}
        return
    with pytest.raises(XmlPayloadError):
        xml_to_data(text)


def test_hostile_xml_is_invalid_payload_without_expansion():
    with pytest.raises(MappingError) as info:
        parse_payload(BILLION_LAUGHS, "xml")
    assert info.value.code == "INVALID_PAYLOAD"
    assert "DOCTYPE" in info.value.message
    assert "/etc/passwd" not in info.value.message and "root:" not in info.value.message


def test_doctype_text_inside_cdata_is_fine():
    assert xml_to_data("<a><![CDATA[<!DOCTYPE x>]]></a>") == {"a": "<!DOCTYPE x>"}


def test_too_deep_nesting_is_rejected():
    with pytest.raises(XmlPayloadError):
        xml_to_data("<a>" * 300 + "</a>" * 300)


def test_malformed_xml_is_rejected():
    with pytest.raises(XmlPayloadError, match="not well-formed"):
        xml_to_data("<a><b></a>")


@pytest.mark.parametrize("declared", ["ISO-8859-1", "windows-1252", "UTF-16", "utf-8"])
def test_text_payload_ignores_the_declared_encoding(declared):
    """A payload sent as a (JSON) string is already decoded text: SAP's ``encoding="ISO-8859-1"``
    declaration must not make lxml decode the UTF-8 bytes again (``Müller`` became ``MÃ¼ller``)."""
    text = f'<?xml version="1.0" encoding="{declared}"?><r><n>Müller €</n></r>'
    assert xml_to_data(text) == {"r": {"n": "Müller €"}}


def test_bytes_payload_honours_the_declared_encoding():
    raw = '<?xml version="1.0" encoding="ISO-8859-1"?><r><n>Müller</n></r>'.encode("latin-1")
    assert xml_to_data(raw) == {"r": {"n": "Müller"}}


def test_element_with_many_attributes_converts_every_attribute():
    """Thousands of attributes on one element are read in linear time (lxml's ``attrib.items()`` is
    quadratic: 40,000 attributes took 7 s); names lose their namespace, values stay strings."""
    attributes = " ".join(f'a{i}="{i:05d}"' for i in range(5000))
    data = xml_to_data(f'<r xmlns:p="urn:p" {attributes} p:z="ns"><c>1</c></r>')
    assert len(data["r"]) == 5002
    assert data["r"]["a0"] == "00000" and data["r"]["a4999"] == "04999"
    assert data["r"]["z"] == "ns" and data["r"]["c"] == "1"
