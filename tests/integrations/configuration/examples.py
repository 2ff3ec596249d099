"""Realistic valid configurations, taken from the contract's examples and docs/; tests deep-copy them."""
from __future__ import annotations

CONTACT_SYNC = {
    "entities": [
        {
            "entity_schema": "contact",
            "unique_ids": ["customer_number"],
            "fields": [
                {"attribute": "customer_number", "field": "customerId"},
                {"attribute": "first_name", "field": "firstName"},
                {"attribute": "email", "field": "email", "_type": "email",
                 "enabled": "$exists(email) and email != ''"},
                {"attribute": "vip_status", "constant": "VIP", "enabled": "vipFlag = true"},
                {"attribute": "billing_account", "enabled": "$exists(billingAccountId)",
                 "relations": {"operation": "_set", "items": [
                     {"entity_schema": "billing_account", "_tags": ["PRIMARY"],
                      "unique_ids": [{"attribute": "external_id", "field": "billingAccountId"}]}]}},
            ],
        }
    ]
}

CONTRACT_WITH_METERS = {
    "entities": [
        {
            "entity_schema": "contract",
            "unique_ids": ["contract_number"],
            "fields": [
                {"attribute": "contract_number", "field": "number"},
                {"attribute": "display_name", "jsonataExpression": "'Contract ' & number"},
                {"attribute": "street", "field": "$.address.street"},
                {"attribute": "tags", "jsonataExpression": "{\"_append\": [\"erp\"]}"},
                {"attribute": "delivery_address", "relation_refs": {"operation": "_set", "items": [
                    {"entity_schema": "contact", "path": "address",
                     "unique_ids": [{"attribute": "customer_number", "field": "customerId"}],
                     "value": {"attribute": "address", "operation": "_append",
                               "jsonataExpression": "{\"street\": address.street, \"city\": address.city}"}}]}},
                {"attribute": "documents", "relations": {
                    "operation": "_append",
                    "jsonataExpression": "documents.{\"entity_schema\": \"file\", \"unique_ids\": "
                                         "[{\"attribute\": \"external_id\", \"constant\": id}]}"}},
            ],
        },
        {
            "entity_schema": "meter",
            "unique_ids": ["meter_number"],
            "jsonataExpression": "meters[type='electricity']",
            "enabled": "$count($) > 0",
            "mode": "upsert-prune-scope-delete",
            "scope": {"scope_mode": "relations", "schema": "contract",
                      "unique_ids": [{"attribute": "contract_number", "field": "number"}]},
            "fields": [
                {"attribute": "meter_number", "field": "number"},
                {"attribute": "meter_type", "field": "type"},
            ],
        },
        {
            "entity_schema": "file",
            "unique_ids": ["external_id"],
            "jsonataExpression": "documents",
            "mode": "upsert-prune-scope-purge",
            "scope": {"scope_mode": "query",
                      "query": [{"attribute": "contract_number", "jsonataExpression": "$$.number"},
                                {"attribute": "source", "constant": "ERP"}]},
            "fields": [
                {"attribute": "external_id", "field": "id"},
                {"attribute": "custom_download_url", "file_proxy_url": {
                    "use_case_slug": "invoice-pdf",
                    "params": {"documentId": {"field": "id"}, "kind": {"constant": "invoice"},
                               "year": {"jsonataExpression": "$substring(date, 0, 4)"}}}},
            ],
        },
    ],
    "meter_readings": [
        {
            "jsonataExpression": "$.readings",
            "mode": "upsert-prune-scope",
            "reading_matching": "strict-date",
            "scope": {"source": "ERP"},
            "meter": {"unique_ids": [{"attribute": "external_id", "field": "meter_id"}]},
            "meter_counter": {"unique_ids": [{"attribute": "obis_number", "constant": "1-0:1.8.0"}]},
            "fields": [
                {"attribute": "external_id", "field": "reading_id"},
                {"attribute": "timestamp", "field": "read_at"},
                {"attribute": "source", "constant": "ERP"},
                {"attribute": "value", "field": "value"},
                {"attribute": "reason", "constant": "regular"},
            ],
        }
    ],
}

CONTACT_DELETE = {
    "entities": [
        {"entity_schema": "contact", "unique_ids": ["_id"], "mode": "delete",
         "fields": [{"attribute": "_id", "field": "epilotId"}]},
    ],
    "meter_readings": [
        {"mode": "delete", "meter": {"unique_ids": [{"attribute": "_id", "field": "meterId"}]},
         "fields": [{"attribute": "external_id", "field": "readingId"}]},
    ],
}

OUTBOUND = {
    "event_catalog_event": "contract.created",
    "mappings": [
        {
            "id": "0b6b2a6e-52a4-4c7e-8f0a-6b3a0d5d2f11",
            "name": "ERP Contract Sync",
            "jsonata_expression": "{ \"id\": entity._id, \"customer\": entity.customer_name, \"_ack_id\": _ack_id }",
            "enabled": True,
            "delivery": {"type": "webhook", "webhook_id": "wh-123", "webhook_name": "SAP",
                         "webhook_url": "https://erp.example.com/hooks/contract"},
        }
    ],
}

FILE_PROXY = {
    "auth": {
        "type": "oauth2_client_credentials",
        "token_url": "https://login.example.com/{{params.tenant}}/oauth2/token",
        "client_id": "\\{{env.archive_client_id}}",
        "client_secret": "\\{{env.archive_client_secret}}",
        "scope": "documents.read",
        "body_params": {"resource": "https://archive.example.com"},
    },
    "params": [
        {"name": "documentId", "required": True, "description": "Archive document id"},
        {"name": "tenant", "required": False},
    ],
    "steps": [
        {"url": "https://archive.example.com/api/documents/{{params.documentId}}", "method": "GET",
         "headers": {"Accept": "application/json"}, "response_type": "json"},
        {"url": "https://archive.example.com/api/files/{{steps.0.body.fileId}}/content", "method": "POST",
         "headers": {"Content-Type": "application/json"},
         "body": "{\"format\": \"{{#if params.format}}{{params.format}}{{else}}pdf{{/if}}\"}",
         "response_type": "binary"},
    ],
    "response": {"body": "steps[1].body", "encoding": "binary",
                 "filename": "steps[0].body.name & '.pdf'", "content_type": "'application/pdf'"},
}
