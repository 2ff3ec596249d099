"""ERP imports: consultants upload a CSV or XLSX file, validate it against an inbound use case and import it
in batches through the normal write stage (see docs/imports.md)."""
