from datetime import UTC, datetime

from django.db.models import Q

from erpintegration.lib.paging import after, decode_position, encode_position


def test_after_is_strictly_after_the_position_in_descending_order():
    """The OR of tie-breaks, bounded by ``first <= value`` so an index on the fields seeks to the cursor."""
    assert after(("t", "id"), (1, 2)) == (Q(t__lt=1) | Q(t=1, id__lt=2)) & Q(t__lte=1)
    assert after(("t", "e", "id"), (1, "x", 3)) == (
        Q(t__lt=1) | Q(t=1, e__lt="x") | Q(t=1, e="x", id__lt=3)) & Q(t__lte=1)


def test_a_position_that_knows_only_the_leading_fields_stops_there():
    assert after(("t", "e", "id"), (1, "x", None)) == (Q(t__lt=1) | Q(t=1, e__lt="x")) & Q(t__lte=1)
    assert after(("t", "id"), (1, None)) == Q(t__lt=1)


def test_positions_round_trip_and_garbage_is_none():
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    cursor = encode_position(moment, 42)
    assert "=" not in cursor and "|" not in cursor
    assert decode_position(cursor, datetime.fromisoformat, int) == (moment, 42)
    assert decode_position("not a cursor!", datetime.fromisoformat, int) is None
    assert decode_position(encode_position(moment), datetime.fromisoformat, int) is None
    assert decode_position(encode_position(moment, "x"), datetime.fromisoformat, int) is None
