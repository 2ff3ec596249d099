"""Every golden case against both JSONata engines; known jsonata-python differences are strict xfails."""
import json

import pytest

from integrations.mapping.jsonata import ENGINES
from tests.integrations.mapping.golden import GOLDEN, case_meta, case_names, run_case


def _params():
    for name in case_names():
        xfails = case_meta(name).get("xfail_engines", {})
        for engine in ENGINES:
            marks = [pytest.mark.xfail(strict=True, reason=xfails[engine])] if engine in xfails else []
            yield pytest.param(name, engine, marks=marks, id=f"{name}-{engine}")


@pytest.mark.parametrize("case,engine", list(_params()), indirect=["engine"])
def test_golden_case(case, engine):
    expected = json.loads((GOLDEN / case / "expected.json").read_text())
    assert run_case(case) == expected


def test_golden_cases_cover_the_features():
    names = set(case_names())
    assert {"xml_input", "v1_objects", "legacy_v2_wrapper", "relation_refs", "meter_reading_two_counters",
            "error_xml_billion_laughs", "error_xml_external_entity"} <= names
    assert all((GOLDEN / name / "expected.json").exists() for name in names)
