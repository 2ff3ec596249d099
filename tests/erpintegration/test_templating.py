"""The Handlebars subset of file-proxy steps (pure, no database)."""
import pytest

from erpintegration.lib.templating import TemplateError, render, to_text

CONTEXT = {
    "params": {"orgId": "123", "number": "A&B=1", "empty": ""},
    "steps": [{"body": {"fileId": "f-1", "items": [{"id": 1}, {"id": 2}], "n": 2.0, "ok": True,
                        "meta": {"a": 1}}, "headers": {"x-total": "2"}, "statusCode": 200}],
    "env": {"host": "erp.example"},
    "auth_token": "tok",
}


@pytest.mark.parametrize("template, expected", [
    ("{{steps.0.body.fileId}}", "f-1"),
    ("{{steps.[0].body.fileId}}", "f-1"),
    ("{{steps/0/body/fileId}}", "f-1"),
    ("{{{steps.0.body.fileId}}}", "f-1"),
    ("{{ params.orgId }}", "123"),
    ("{{params.number}}", "A&B=1"),  # no HTML escaping
    ("{{urlencode params.number}}", "A%26B%3D1"),
    ("{{json steps.0.body.meta}}", '{"a":1}'),
    ("{{{json params.number}}}", '"A&B=1"'),
    ("{{steps.0.body.missing.deeper}}", ""),
    ("{{steps.5.body}}", ""),
    ("{{steps.0.body.n}}", "2"),
    ("{{steps.0.body.ok}}", "true"),
    ("{{steps.0.body.meta}}", "[object Object]"),
    ("{{steps.0.body.items.length}}", "2"),
    ("{{steps.0.statusCode}}", "200"),
    ("{{env.host}}", "erp.example"),
    ("Bearer {{auth_token}}", "Bearer tok"),
    ("Basic {{base64 'user' ':' 'pass'}}", "Basic dXNlcjpwYXNz"),
    ("{{#if params.empty}}yes{{else}}no{{/if}}", "no"),
    ("{{#unless params.empty}}yes{{/unless}}", "yes"),
    ("{{#each steps.0.body.items}}{{@index}}:{{id}}{{#unless @last}},{{/unless}}{{/each}}", "0:1,1:2"),
    ("{{#each steps.0.body.meta}}{{@key}}={{this}}{{/each}}", "a=1"),
    ("{{#each steps.0.body.none}}x{{else}}empty{{/each}}", "empty"),
    ("{{#each steps.0.body.items}}{{../params.orgId}}-{{@root.params.orgId}};{{/each}}", "123-123;123-123;"),
    ("{{#with steps.0.body}}{{fileId}}{{/with}}", "f-1"),
    ("a {{! comment }}b{{!-- {{ not a tag }} --}}c", "a bc"),
    ("a  {{~params.orgId~}}  b", "a123b"),
    ("\\{{params.orgId}}", "{{params.orgId}}"),
    ("\\\\{{params.orgId}}", "\\123"),
    ('{"x": "}"}', '{"x": "}"}'),
])
def test_render(template, expected):
    assert render(template, CONTEXT) == expected


def test_escaped_env_form_is_substituted_from_env_only():
    env = {"secret": "p@ss&word", "base": "https://erp"}
    assert render("\\{{env.base}}/x?k=\\{{ env.secret }}", CONTEXT, env=env) == "https://erp/x?k=p@ss&word"
    assert render("\\{{other}}", CONTEXT, env=env) == "{{other}}"


def test_env_placeholders_inside_data_are_not_substituted():
    context = {"steps": [{"body": {"name": "{{env.secret}}"}}]}
    assert render("\\{{env.base}}/{{steps.0.body.name}}", context, env={"base": "b", "secret": "S"}) == \
        "b/{{env.secret}}"


def test_missing_env_value_is_an_error():
    with pytest.raises(TemplateError, match="'nope' is not set"):
        render("\\{{env.nope}}", CONTEXT, env={})


def test_without_env_the_escaped_form_stays_literal():
    assert render("\\{{env.key}}", CONTEXT) == "{{env.key}}"


@pytest.mark.parametrize("template, message", [
    ("{{params.orgId", "never closed"),
    ("{{{params.orgId}}", "never closed"),
    ("{{}}", "empty expression"),
    ("{{#if params.x}}open", "never closed"),
    ("{{/if}}", "does not close"),
    ("{{#each a}}{{/if}}", "does not close"),
    ("{{#bogus a}}{{/bogus}}", "unknown block helper"),
    ("{{lookup a b}}", "unknown helper"),
    ("{{else}}", "outside a block"),
    ("{{#if a b}}x{{/if}}", "exactly one argument"),
    ("{{!-- unterminated", "never closed"),
])
def test_malformed_templates(template, message):
    with pytest.raises(TemplateError, match=message):
        render(template, CONTEXT)


@pytest.mark.parametrize("value, text", [
    (None, ""), (False, "false"), (1, "1"), (1.5, "1.5"), (3.0, "3"), ([1, "a"], "1,a"), (b"ab", "ab"),
    (float("nan"), "NaN"),
])
def test_to_text_follows_javascript_string(value, text):
    assert to_text(value) == text
