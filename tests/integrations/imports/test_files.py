"""Bad and unusual files: each a clear issue or error, nothing half-written."""
import io

import pytest
from openpyxl import Workbook

from integrations.imports import files
from integrations.models import ErpImport

from .conftest import create, csv_bytes, run_validation, upload


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_empty_file_is_refused_at_registration(owner):
    response = create(owner.client, b"")
    assert response.status_code == 400 and response.json()["code"] == "EMPTY_FILE"
    assert "s3_reference" in response.json()["message"]
    assert not ErpImport.objects.exists()


def test_undecodable_bytes_are_invalid_encoding(owner):
    response = create(owner.client, b"Article No;Name\n\x81\x8d;\x90\n")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_ENCODING"


def test_windows_1252_is_read(owner):
    response = create(owner.client, "Article No;Name\nA-1;Müller Größe\n".encode("cp1252"), include_preview=True)
    assert response.status_code == 201
    assert response.json()["preview"]["rows"] == [["A-1", "Müller Größe"]]


def test_comma_and_tab_delimiters_and_bom(owner):
    response = create(owner.client, "\ufeffArticle No,Name\nA-1,Kettle\n".encode(), include_preview=True)
    assert response.json()["preview"] == {"columns": ["Article No", "Name"], "rows": [["A-1", "Kettle"]]}
    response = create(owner.client, b"Article No\tName\tName\nA-1\tKettle\tdup\n", include_preview=True)
    assert response.json()["preview"] == {"columns": ["Article No", "Name"], "rows": [["A-1", "Kettle"]]}


def test_binary_file_is_unsupported(owner):
    response = create(owner.client, b"\x00\x01\x02garbage" * 10, name="x.bin")
    assert response.status_code == 400 and response.json()["code"] == "FILE_FORMAT_UNSUPPORTED"


def test_malformed_rows_block_with_the_row_number(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(["A-1;Kettle;1", "A-2;Toaster;2;extra;cells"])).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, product_use_case)
    assert job["status"] == "FAILED" and job["error"]["code"] == "VALIDATION_BLOCKED"
    assert {"code": "MALFORMED_ROW", "severity": "blocking", "row": 2} in job["validation"]["issues"]


def test_missing_unique_id_column_blocks(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(["Kettle;1"], header="Product Name;Price")).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, product_use_case)
    assert job["status"] == "FAILED"
    issue = next(i for i in job["validation"]["issues"] if i["code"] == "UNIQUE_ID_COLUMN_MISSING")
    assert issue == {"code": "UNIQUE_ID_COLUMN_MISSING", "severity": "blocking",
                     "columns": [{"name": "Article No", "entity": "product"}]}


def test_missing_mapped_column_is_a_warning(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(["A-1;Kettle"], header="Article No;Product Name")).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, product_use_case)
    assert job["status"] == "READY"
    assert {"code": "MAPPED_COLUMN_MISSING", "severity": "warning", "columns": [{"name": "Price"}]} in \
        job["validation"]["issues"]


def test_too_many_rows(owner, product_use_case, settings):
    settings.IMPORTS_MAX_ROWS = 3
    import_id = create(owner.client, csv_bytes([f"A-{i};P;1" for i in range(6)])).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, product_use_case)
    assert job["status"] == "FAILED"
    assert any(i["code"] == "TOO_MANY_ROWS" for i in job["validation"]["issues"])


def test_header_only_file_is_empty(owner, product_use_case):
    import_id = create(owner.client, csv_bytes([])).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, product_use_case)
    assert job["status"] == "FAILED" and job["validation"]["issues"][0]["code"] == "EMPTY_FILE"


def test_xlsx_with_formulas_reads_cached_values(owner, product_use_case):
    content = xlsx_bytes([["Article No", "Product Name", "Price"], ["A-1", "Kettle", 19.5], ["A-2", "Pot", 3]])
    response = create(owner.client, content, name="prices.xlsx", include_preview=True)
    assert response.status_code == 201, response.json()
    assert response.json()["job"]["format"] == "xlsx"
    assert response.json()["preview"]["rows"] == [["A-1", "Kettle", "19.5"], ["A-2", "Pot", "3"]]
    formulas = xlsx_bytes([["Article No", "Product Name", "Price"], ["A-1", "Kettle", "=1+1"]])
    import_id = create(owner.client, formulas, name="f.xlsx").json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, product_use_case)
    # openpyxl-written formulas carry no cached value: the cell reads empty, never as formula text.
    assert job["status"] == "READY" and job["validation"]["entities"] == {"product": 1}


def test_xlsx_suggest_is_a_400(owner, product_use_case):
    content = xlsx_bytes([["Article No"], ["A-1"]])
    import_id = create(owner.client, content, name="p.xlsx").json()["job"]["import_id"]
    response = owner.client.post(f"/v2/erp/imports/{import_id}:suggest-use-cases", format="json")
    assert response.status_code == 400


def test_oversized_upload_is_refused(owner, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORTS_MAX_FILE_BYTES = 100
    response = owner.client.post("/v2/erp/imports/uploads", {"file": SimpleUploadedFile("big.csv", b"x" * 101)},
                                 format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "PAYLOAD_TOO_LARGE"
    settings.IMPORTS_MAX_FILE_BYTES = 200_000
    response = owner.client.post("/v2/erp/imports/uploads",
                                 {"file": SimpleUploadedFile("big.csv", b"x" * 300_000)}, format="multipart")
    assert response.status_code == 413  # refused from Content-Length, before reading the body


def test_upload_needs_a_file(owner):
    response = owner.client.post("/v2/erp/imports/uploads", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["message"]


@pytest.mark.parametrize("raw, expected", [(["a", " b ", "a", ""], (["a", "b"], [0, 1]))])
def test_effective_columns(raw, expected):
    assert files.effective_columns(raw) == expected


def test_upload_reference_is_scoped_to_the_organisation(owner):
    ref = upload(owner.client, b"a;b\n1;2\n")
    assert ref["key"].startswith(f"imports/{owner.organization.id}/") and ref["bucket"] == "local"
