"""ULIDs: 128-bit ids that sort by creation time (48-bit milliseconds + 80 random bits, Crockford base32)."""
import secrets
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now_ms: int | None = None) -> str:
    value = ((int(time.time() * 1000) if now_ms is None else now_ms) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))
