"""Meter readings: validation, external_id and strict-date matching, modes, prune scope, atomicity."""
import pytest

from entities.models import Entity, MeterReading
from entities.services import StoreError
from integrations.mapping.results import MeterReadingPrune, MeterReadingUpdate
from tests.entities.helpers import apply, contact
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

METER = {"$entity_unique_ids": {"meter_number": "M-1"}}
COUNTER = {"$entity_unique_ids": {"counter_id": "Z-1"}}


@pytest.fixture
def org():
    org = OrganizationFactory()
    apply(org, contact({"meter_number": "M-1"}, schema="meter"),
          contact({"counter_id": "Z-1"}, schema="meter_counter"))
    return org


def reading(external_id="R-1", timestamp="2026-03-01T10:00:00Z", value=100, source="ERP", counter=None,
            mode="upsert", matching="external_id", **extra):
    attributes = {"external_id": external_id, "timestamp": timestamp, "value": value, "source": source, **extra}
    attributes = {k: v for k, v in attributes.items() if v is not None}
    return MeterReadingUpdate(meter=METER, meter_counter=counter, attributes=attributes, mode=mode,
                              reading_matching=matching)


def write(org, *readings, prunes=()):
    return apply(org, meter_readings_updates=list(readings), meter_reading_prunes=list(prunes))


def read_actions(report):
    return [o.action for o in report.meter_reading_outcomes]


def test_external_id_upsert_create_update_no_change(org):
    report = write(org, reading(reason="regular", direction="feed-out"))
    assert read_actions(report) == ["created"]
    outcome = report.meter_reading_outcomes[0].as_dict()
    meter = Entity.objects.get(schema="meter")
    assert outcome["meter_id"] == str(meter.pk) and outcome["counter_id"] is None
    assert outcome["external_id"] == "R-1"
    row = MeterReading.objects.get()
    assert (row.value, row.source, row.reason, row.direction) == (100.0, "ERP", "regular", "feed-out")
    assert read_actions(write(org, reading(value="101.5"))) == ["updated"]
    assert MeterReading.objects.get().value == 101.5
    assert read_actions(write(org, reading(value=101.5))) == ["no_change"]


def test_external_id_matching_is_per_meter_and_counter(org):
    write(org, reading())
    assert read_actions(write(org, reading(counter=COUNTER))) == ["created"]
    assert MeterReading.objects.count() == 2
    assert read_actions(write(org, reading(counter=COUNTER, value=5))) == ["updated"]
    assert MeterReading.objects.get(counter__isnull=True).value == 100


def test_strict_date_matches_the_berlin_calendar_day(org):
    # 23:30 UTC on 1 March is 00:30 on 2 March in Berlin
    write(org, reading(external_id="portal-1", timestamp="2026-03-01T23:30:00Z", source="ECP",
                       direction="feed-out"))
    report = write(org, reading(external_id="ERP-1", timestamp="2026-03-02", value=222, direction="feed-out",
                                matching="strict-date"))
    assert read_actions(report) == ["updated"]
    row = MeterReading.objects.get()
    assert (row.external_id, row.value, row.source) == ("ERP-1", 222.0, "ERP")
    assert row.timestamp.isoformat() == "2026-03-02T00:00:00+00:00"
    # 1 March 22:59 UTC is still 1 March in Berlin (CET): a different day -> create
    other_day = write(org, reading(external_id="ERP-0", timestamp="2026-03-01T22:59:00Z", direction="feed-out",
                                   matching="strict-date"))
    assert read_actions(other_day) == ["created"]


def test_strict_date_respects_direction_and_summer_time(org):
    write(org, reading(external_id="a", timestamp="2026-07-01T21:59:00Z", direction="feed-in"))  # 23:59 CEST
    report = write(org, reading(external_id="b", timestamp="2026-07-01T12:00:00+02:00", direction="feed-out",
                                matching="strict-date"))
    assert read_actions(report) == ["created"]  # other direction
    report = write(org, reading(external_id="c", timestamp="2026-07-01T08:00:00", direction="feed-in",
                                matching="strict-date"))
    assert read_actions(report) == ["updated"]


def test_strict_date_with_two_matches_is_an_error(org):
    write(org, reading(external_id="a", timestamp="2026-03-01T08:00:00Z"),
          reading(external_id="b", timestamp="2026-03-01T09:00:00Z"))
    with pytest.raises(StoreError) as err:
        write(org, reading(external_id="c", timestamp="2026-03-01T12:00:00Z", matching="strict-date"))
    assert err.value.code == "READING_MULTIPLE_MATCHES"


def test_delete_by_external_id_and_by_strict_date(org):
    write(org, reading(external_id="a", timestamp="2026-03-01T08:00:00Z"),
          reading(external_id="b", timestamp="2026-03-05T08:00:00Z"))
    report = write(org, MeterReadingUpdate(meter=METER, attributes={"external_id": "a"}, mode="delete"))
    assert read_actions(report) == ["deleted"]
    report = write(org, MeterReadingUpdate(meter=METER, attributes={"timestamp": "2026-03-05"}, mode="delete",
                                           reading_matching="strict-date"))
    assert read_actions(report) == ["deleted"]
    assert not MeterReading.objects.exists()
    report = write(org, MeterReadingUpdate(meter=METER, attributes={"external_id": "a"}, mode="delete"))
    assert read_actions(report) == ["no_change"]


def test_upsert_prune_scope_deletes_other_readings_of_the_source(org):
    write(org, reading(external_id="a"), reading(external_id="b", timestamp="2026-03-02T10:00:00Z"),
          reading(external_id="portal", timestamp="2026-03-03T10:00:00Z", source="ECP"),
          reading(external_id="other-counter", counter=COUNTER))
    report = write(
        org, reading(external_id="a", mode="upsert-prune-scope"),
        prunes=[MeterReadingPrune(meter=METER, meter_counter=None, kept_external_ids=["a"], scope_source="ERP",
                                  config_index=0)],
    )
    assert read_actions(report) == ["no_change", "deleted"]
    assert sorted(MeterReading.objects.values_list("external_id", flat=True)) == ["a", "other-counter", "portal"]
    # an empty payload without a source filter deletes every reading of the meter (no counter)
    report = write(org, prunes=[MeterReadingPrune(meter=METER, meter_counter=None, kept_external_ids=[],
                                                  scope_source=None, config_index=0)])
    assert read_actions(report) == ["deleted", "deleted"]
    assert list(MeterReading.objects.values_list("external_id", flat=True)) == ["other-counter"]


def test_prune_with_unknown_meter_warns(org):
    report = write(org, prunes=[MeterReadingPrune(meter={"$entity_unique_ids": {"meter_number": "X"}},
                                                  meter_counter=None, kept_external_ids=[], scope_source=None,
                                                  config_index=0)])
    assert report.meter_reading_outcomes == [] and "not found" in report.warnings[0]


def test_missing_meter_or_counter_is_an_error(org):
    with pytest.raises(StoreError) as err:
        write(org, MeterReadingUpdate(meter={"$entity_unique_ids": {"meter_number": "nope"}},
                                      attributes=reading().attributes))
    assert err.value.code == "METER_NOT_FOUND"
    with pytest.raises(StoreError) as err:
        write(org, reading(counter={"$entity_unique_ids": {"counter_id": "nope"}}))
    assert err.value.code == "METER_COUNTER_NOT_FOUND"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"external_id": None}, "external_id"),
        ({"value": None, "timestamp": None}, "timestamp"),
        ({"source": "SAP"}, "source"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"value": "lots"}, "value"),
    ],
)
def test_validation(org, kwargs, field):
    with pytest.raises(StoreError) as err:
        write(org, reading(**kwargs))
    assert err.value.code == "INVALID_METER_READING"
    assert field in err.value.message and "(item 0)" in err.value.message


@pytest.mark.parametrize(("kwargs", "field"), [({"mode": "purge"}, "mode"), ({"matching": "fuzzy"}, "reading_matching")])
def test_unknown_mode_or_matching(org, kwargs, field):
    with pytest.raises(StoreError) as err:
        write(org, reading(**kwargs))
    assert err.value.code == "INVALID_METER_READING" and field in err.value.message


def test_empty_reason_is_allowed(org):
    assert read_actions(write(org, reading(reason=""))) == ["created"]


def test_failure_in_a_later_reading_leaves_nothing_written(org):
    with pytest.raises(StoreError):
        apply(org, contact({"meter_number": "M-2"}, schema="meter"),
              meter_readings_updates=[reading(external_id="ok"), reading(external_id="bad", source="nope")])
    assert not MeterReading.objects.exists()
    assert not Entity.objects.filter(schema="meter", attributes__meter_number="M-2").exists()
