import pytest

from integrations.mapping.payload import parse_payload
from integrations.mapping.results import MappingError


def test_json_string_and_object():
    assert parse_payload('{"id": "007", "n": 1.5}', "json") == {"id": "007", "n": 1.5}
    assert parse_payload({"id": "007"}, "json") == {"id": "007"}
    assert parse_payload("[1, 2]", "json") == [1, 2]


def test_surrogate_pairs_are_one_character():
    assert parse_payload('{"n": "\\ud83d\\ude80"}', "json") == {"n": "\U0001F680"}


def test_large_integers_keep_their_digits():
    assert parse_payload('{"id": 5890840712243076123}', "json") == {"id": 5890840712243076123}


@pytest.mark.parametrize("payload,fmt,needle", [
    ("{bad", "json", "not valid JSON"),
    ('{"a": NaN}', "json", "NaN"),
    ('{"a": 1e400}', "json", "1e400"),
    ('{"a": -1E999}', "json", "-1E999"),
    (5, "json", "JSON string or an object"),
    ({"a": 1}, "xml", "XML payload must be sent as a string"),
    ("<a>", "xml", "not well-formed"),
    ("{}", "csv", "format must be one of"),
    ("[" * 100_000 + "]" * 100_000, "json", "nested too deeply"),
    ("[" * 900 + "]" * 900, "json", "nested too deeply"),
    ('{"id": "x\\udc00"}', "json", "surrogate"),
    ('{"\\ud800": 1}', "json", "surrogate"),
])
def test_invalid_payloads(payload, fmt, needle):
    with pytest.raises(MappingError) as info:
        parse_payload(payload, fmt)
    assert info.value.code == "INVALID_PAYLOAD"
    assert needle in info.value.message
