"""Timestamps shared by the integration and use-case services."""


def align_timestamps(obj) -> None:
    """Make a new row's ``updated_at`` equal its ``created_at`` (Django stamps them microseconds apart)."""
    if obj.updated_at != obj.created_at:
        type(obj).objects.filter(pk=obj.pk).update(updated_at=obj.created_at)
        obj.updated_at = obj.created_at
