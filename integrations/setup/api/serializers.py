"""Request parsing and response shapes of the configuration API, exactly as the contract.

Input fields are strict about JSON types (a number is not a name, "yes" is not a boolean) so a client
bug is a 400 naming the field, not a silently coerced value. Responses omit optional fields that are
absent instead of sending null, because the contract does not allow null there.
"""
from __future__ import annotations

import re
import uuid

from rest_framework import serializers

from erpintegration.api.serializers import ErrorSerializer, MessageSerializer  # noqa: F401  (re-exported for views)
from integrations.models import UseCaseType
from integrations.setup.services import maps as map_rules
from monitoring.notifications import config as notification_config

INTEGRATION_TYPES = ("erp", "connector")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ENV_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,127}$")


# ---------------------------------------------------------------- strict scalar fields


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be a boolean (true or false)."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Must be an integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class UuidStringField(StrictCharField):
    """A UUID given as a string; the value is kept as sent (trimmed) so lookups match what clients send."""

    default_error_messages = {"invalid_uuid": "Must be a valid UUID."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            uuid.UUID(value)
        except ValueError:
            self.fail("invalid_uuid")
        return value


class StrictUUIDField(serializers.UUIDField):
    default_error_messages = {"invalid": "Must be a valid UUID."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class SlugField(StrictCharField):
    default_error_messages = {
        "invalid_slug": "Must match ^[a-z0-9][a-z0-9_-]*$ (lowercase letters, digits, '-' and '_').",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("min_length", 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not SLUG_PATTERN.match(value):
            self.fail("invalid_slug")
        return value


class ConfigurationField(serializers.JSONField):
    """A use case configuration: a JSON object (deep validation is the configuration validator's job)."""

    default_error_messages = {"not_object": "Must be a JSON object."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_object")
        return data


def _plain(value):
    """Serializer output (ReturnDict/OrderedDict) as plain JSON-able data for JSONField storage."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------- integrations (input)


class EnvironmentFieldConfigSerializer(serializers.Serializer):
    key = StrictCharField(max_length=128)
    label = StrictCharField(min_length=1, max_length=255, trim_whitespace=False)
    type = serializers.ChoiceField(choices=["String", "SecretString"])
    description = StrictCharField(max_length=1000, required=False, allow_blank=True, trim_whitespace=False)
    required = StrictBooleanField(required=False)
    order = StrictIntegerField(min_value=0, required=False)

    def validate(self, attrs):
        # a partial update (PUT) makes DRF skip required fields of nested items too: an item is whole or wrong
        missing = [name for name in ("key", "label", "type") if name not in attrs]
        if missing:
            raise serializers.ValidationError({name: ["This field is required."] for name in missing})
        return attrs

    def validate_key(self, value):
        if not ENV_KEY_PATTERN.match(value):
            raise serializers.ValidationError("Must match ^[a-z0-9][a-z0-9_.\\-]{0,127}$.")
        return value


class AutoRefreshSettingsSerializer(serializers.Serializer):
    enabled = StrictBooleanField(required=False)
    freshnessThresholdMinutes = StrictIntegerField(min_value=1, required=False)  # noqa: N815 (contract name)


class NotificationConfigField(serializers.Field):
    """``settings.notifications``: validated, unknown keys stripped, rule ids minted (monitoring's rules)."""

    def to_internal_value(self, data):
        try:
            return notification_config.validate(data)
        except notification_config.ConfigInvalid as exc:
            raise serializers.ValidationError([f"{path}: {message}" for path, message in exc.problems]) from exc

    def to_representation(self, value):
        return value


class IntegrationSettingsSerializer(serializers.Serializer):
    autoRefresh = AutoRefreshSettingsSerializer(required=False)  # noqa: N815 (contract name)
    notifications = NotificationConfigField(required=False)


class MapsField(serializers.JSONField):
    """``maps`` (IntegrationMap[]): every problem reported with its path (``maps[1].value``)."""

    def to_internal_value(self, data):
        issues = map_rules.map_issues(data)
        if issues:
            raise serializers.ValidationError(_nested(issues, "maps"))
        return map_rules.clean_maps(data)


def _nested(issues: list[tuple[str, str]], root: str) -> dict:
    """(``maps[1].value``, message) pairs as DRF's nested error detail, so the 400 names the same paths."""
    detail: dict = {}
    for path, message in issues:
        rest = path[len(root):]
        match = re.match(r"^\[(\d+)\]\.?(.*)$", rest)
        if match is None:
            detail.setdefault("non_field_errors", []).append(message)
        else:
            item = detail.setdefault(match.group(1), {})
            item.setdefault(match.group(2) or "non_field_errors", []).append(message)
    return detail


class IntegrationWriteSerializer(serializers.Serializer):
    """CreateIntegrationRequest / UpdateIntegrationRequest (``partial=True`` for updates)."""

    name = StrictCharField(min_length=1, max_length=255)
    description = StrictCharField(max_length=1000, required=False, allow_blank=True, allow_null=True,
                                  trim_whitespace=False)
    access_token_ids = serializers.ListField(child=StrictCharField(max_length=255), required=False)
    app_ids = serializers.ListField(child=StrictCharField(max_length=255), required=False)
    environment_config = EnvironmentFieldConfigSerializer(many=True, required=False)
    settings = IntegrationSettingsSerializer(required=False, allow_null=True)
    integration_type = serializers.ChoiceField(choices=INTEGRATION_TYPES, required=False)
    connector_config = ConfigurationField(required=False, allow_null=True)  # deep checks: the service
    protected = StrictBooleanField(required=False)
    _manifest = serializers.ListField(child=StrictCharField(max_length=255), required=False, allow_null=True)
    maps = MapsField(required=False)

    def validate_environment_config(self, value):
        seen: dict[str, int] = {}
        errors = {}
        for index, item in enumerate(value):
            item.setdefault("required", False)
            if item["key"] in seen:
                errors[f"{index}"] = {"key": [f"Duplicates environment_config[{seen[item['key']]}].key '{item['key']}'."]}
            seen.setdefault(item["key"], index)
        if errors:
            raise serializers.ValidationError(errors)
        return _plain(value)

    def validate_settings(self, value):
        if value is None:
            return None
        value = _plain(value)
        if "autoRefresh" in value:
            value["autoRefresh"].setdefault("enabled", False)
        return value


# ---------------------------------------------------------------- use cases (input)


class UseCaseCreateSerializer(serializers.Serializer):
    """CreateUseCaseRequest (all five types). ``slug`` stays optional unless ERPI_STRICT_SLUG (C1)."""

    name = StrictCharField(min_length=1, max_length=255)
    slug = SlugField(required=False)
    type = serializers.ChoiceField(choices=UseCaseType.values)
    enabled = StrictBooleanField()
    configuration = ConfigurationField(required=False, allow_null=True)
    change_description = StrictCharField(max_length=2000, required=False, allow_blank=True, allow_null=True,
                                         trim_whitespace=False)
    type_annotations = ConfigurationField(required=False, allow_null=True)  # managed_call only (service)


class UseCaseUpdateSerializer(serializers.Serializer):
    """UpdateUseCaseRequest: every field optional (partial merge)."""

    name = StrictCharField(min_length=1, max_length=255, required=False)
    slug = SlugField(required=False)
    type = serializers.ChoiceField(choices=UseCaseType.values, required=False)
    enabled = StrictBooleanField(required=False)
    configuration = ConfigurationField(required=False, allow_null=True)
    change_description = StrictCharField(max_length=2000, required=False, allow_blank=True, allow_null=True,
                                         trim_whitespace=False)
    type_annotations = ConfigurationField(required=False, allow_null=True)  # managed_call only (service)


class EmbeddedUseCaseSerializer(UseCaseCreateSerializer):
    """EmbeddedUseCaseRequest: all five types (C7)."""

    id = StrictUUIDField(required=False)


class IntegrationWithUseCasesWriteSerializer(IntegrationWriteSerializer):
    """UpsertIntegrationWithUseCasesRequest."""

    use_cases = EmbeddedUseCaseSerializer(many=True, required=False)

    def validate_use_cases(self, value):
        return _plain(value)


# ---------------------------------------------------------------- app mapping (input)


class SetAppMappingSerializer(serializers.Serializer):
    app_id = UuidStringField()
    component_id = UuidStringField()
    overwrite = StrictBooleanField(required=False, default=False)


class DeleteAppMappingSerializer(serializers.Serializer):
    app_id = UuidStringField()
    component_id = UuidStringField()


# ---------------------------------------------------------------- responses


class _OmitAbsent(serializers.Serializer):
    """Drops the optional keys whose value is None: the contract has no nullable fields here."""

    omit_when_none: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key in self.omit_when_none:
            if data.get(key) is None:
                data.pop(key, None)
        return data


class IntegrationSerializer(_OmitAbsent):
    omit_when_none = ("description", "settings", "connector_config", "_manifest")

    id = serializers.UUIDField(read_only=True)
    orgId = serializers.CharField(source="organization_id", read_only=True)  # noqa: N815 (contract name)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True, required=False)
    access_token_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    app_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    environment_config = EnvironmentFieldConfigSerializer(many=True, read_only=True)
    settings = serializers.JSONField(read_only=True, required=False)
    integration_type = serializers.CharField(read_only=True)
    connector_config = serializers.JSONField(read_only=True, required=False)
    protected = serializers.BooleanField(read_only=True)
    _manifest = serializers.JSONField(source="manifest", read_only=True, required=False)
    maps = serializers.JSONField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class _VersionFields(_OmitAbsent):
    """``changed_by`` is omitted when no user made the change; managed calls carry their type fields."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not data.get("changed_by"):
            data.pop("changed_by", None)
        if instance.type == UseCaseType.MANAGED_CALL:
            if instance.type_annotations is not None:
                data["type_annotations"] = instance.type_annotations
            if hasattr(instance, "types_locked"):
                data["types_locked"] = instance.types_locked
        return data


class UseCaseSerializer(_VersionFields):
    omit_when_none = ("slug", "configuration", "change_description")

    id = serializers.UUIDField(read_only=True)
    integrationId = serializers.UUIDField(source="integration_id", read_only=True)  # noqa: N815
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True, required=False)
    type = serializers.ChoiceField(choices=UseCaseType.values, read_only=True)
    enabled = serializers.BooleanField(read_only=True)
    configuration = serializers.JSONField(read_only=True, required=False)
    change_description = serializers.CharField(read_only=True, required=False)
    changed_by = serializers.CharField(read_only=True, required=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class IntegrationWithUseCasesSerializer(IntegrationSerializer):
    use_cases = UseCaseSerializer(many=True, read_only=True, source="use_cases.all")


class UseCaseHistoryEntrySerializer(_VersionFields):
    omit_when_none = ("slug", "configuration", "change_description")

    id = serializers.UUIDField(read_only=True)
    useCaseId = serializers.UUIDField(source="use_case_id", read_only=True)  # noqa: N815
    integrationId = serializers.UUIDField(source="integration_id", read_only=True)  # noqa: N815
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True, required=False)
    type = serializers.ChoiceField(choices=UseCaseType.values, read_only=True)
    enabled = serializers.BooleanField(read_only=True)
    configuration = serializers.JSONField(read_only=True, required=False)
    change_description = serializers.CharField(read_only=True, required=False)
    changed_by = serializers.CharField(read_only=True, required=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    history_created_at = serializers.DateTimeField(read_only=True)


class IntegrationListSerializer(serializers.Serializer):
    integrations = IntegrationSerializer(many=True)


class IntegrationWithUseCasesListSerializer(serializers.Serializer):
    integrations = IntegrationWithUseCasesSerializer(many=True)


class UseCaseListSerializer(serializers.Serializer):
    use_cases = UseCaseSerializer(many=True)


class UseCaseHistoryPageSerializer(serializers.Serializer):
    history = UseCaseHistoryEntrySerializer(many=True)
    next_cursor = serializers.CharField(required=False, help_text="Absent on the last page.")


class AppMappingSerializer(serializers.Serializer):
    integration_id = serializers.UUIDField(read_only=True)




