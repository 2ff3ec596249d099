"""Which file columns a mapping reads (pure)."""
from integrations.imports.columns import analyse, columns_read, entity_types, expression_names

CONFIG = {"entities": [
    {"entity_schema": "product", "unique_ids": ["code"], "fields": [
        {"attribute": "code", "field": "Article No"},
        {"attribute": "name", "jsonataExpression": "$trim(`Product Name`) & ' ' & Size"},
        {"attribute": "type", "constant": "product"},
    ]},
    {"entity_schema": "price", "unique_ids": ["price_id"], "fields": [
        {"attribute": "price_id", "constant": "fixed"},
        {"attribute": "amount", "field": "Price.value"},
    ]},
]}


def test_expression_names_skip_strings_and_functions():
    assert expression_names("$trim(`Product Name`) & ' x y ' & Size") == {"Product Name", "Size"}
    assert "literal" not in expression_names('"literal" & other')


def test_columns_read_in_file_order():
    columns = ["Size", "Unused", "Price", "Article No", "Product Name"]
    assert columns_read(CONFIG, columns) == ["Size", "Price", "Article No", "Product Name"]


def test_unique_id_columns_and_constants():
    product, price = analyse(CONFIG)
    assert product.unique_id_columns == {"code": {"Article No"}}
    assert price.constant_unique_ids == {"price_id"}
    assert entity_types(CONFIG) == 2
