"""Request bodies and the ErpImportJob shape of the import operations."""
from rest_framework import serializers


class S3ReferenceSerializer(serializers.Serializer):
    bucket = serializers.CharField(allow_blank=True, trim_whitespace=False)
    key = serializers.CharField(trim_whitespace=False)


class _Strict(serializers.Serializer):
    """additionalProperties: false, as the contract declares for these bodies."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({unknown[0]: ["unknown field"]})
        return super().to_internal_value(data)


class CreateErpImportSerializer(_Strict):
    s3_reference = S3ReferenceSerializer()
    include_preview = serializers.BooleanField(required=False, default=False)
    import_id = serializers.CharField(required=False)


class ValidateErpImportSerializer(_Strict):
    integration_id = serializers.CharField()
    use_case_slug = serializers.CharField()


class ExecuteErpImportSerializer(_Strict):
    ack_warnings = serializers.BooleanField(required=False, default=False)


def job_as_contract(job) -> dict:
    out = {
        "import_id": job.id, "correlation_id": job.id, "org_id": str(job.organization_id), "format": job.format,
        "status": job.status, "s3_input_ref": {"bucket": job.bucket, "key": job.key},
        "created_at": job.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": job.updated_at.isoformat().replace("+00:00", "Z"),
    }
    if job.created_by_id is not None:
        out["created_by"] = str(job.created_by_id)
    if job.integration_id is not None:
        out["integration_id"] = str(job.integration_id)
    if job.use_case_slug:
        out["use_case_slug"] = job.use_case_slug
    if job.size_bytes is not None:
        out["size_bytes"] = job.size_bytes
    if job.column_count is not None:
        out["column_count"] = job.column_count
    if job.validation is not None:
        out["validation"] = {k: v for k, v in job.validation.items() if k != "row_errors"}
    if job.progress is not None:
        out["progress"] = {k: v for k, v in job.progress.items() if v is not None}
    if job.error is not None and job.status == "FAILED":
        out["error"] = job.error
    return out
