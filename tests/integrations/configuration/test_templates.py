"""Handlebars structure checks in isolation."""
from __future__ import annotations

import pytest

from integrations.configuration.templates import template_problem


@pytest.mark.parametrize("text", [
    "",
    "https://archive.example.com/plain",
    "{{params.documentId}}",
    "{{{params.raw}}}",
    "\\{{env.secret}}",
    "{{#if params.a}}{{params.a}}{{else}}none{{/if}}",
    "{{#each steps.0.body.items}}{{this.id}},{{/each}}",
    "{{!-- a comment with }} inside --}}{{params.a}}",
    "{{~params.a~}}",
    '{"json": {"nested": "{{params.a}}"}}',
    '{"id": {{steps.0.body.id}}}',
    "params.a}} is literal text",
])
def test_sound_templates(text):
    assert template_problem(text, available_steps=1) is None


@pytest.mark.parametrize(("text", "problem"), [
    ("{{params.a", "'{{' at offset 0 is never closed with '}}'"),
    ("{{params.a {{params.b}}", "'{{' at offset 0 is never closed with '}}'"),
    ("{{{params.a}}", "'{{{' at offset 0 is never closed with '}}}'"),
    ("{{}}", "empty expression '{{}}' at offset 0"),
    ("{{#if a}}x", "block '{{#if}}' opened at offset 0 is never closed with '{{/if}}'"),
    ("x{{/if}}", "'{{/if}}' at offset 1 closes a block that was never opened"),
    ("{{#each a}}{{/if}}", "'{{/if}}' at offset 11 does not match '{{#each}}' opened at offset 0"),
    ("{{!-- unclosed", "comment '{{!--' at offset 0 is never closed with '--}}'"),
    ("{{steps.1.body}}", "refers to steps.1 at offset 0, but only steps.0..steps.0 have run at this point"),
    ("{{steps.[2].body}}", "refers to steps.2"),
])
def test_broken_templates(text, problem):
    found = template_problem(text, available_steps=1)
    assert found is not None and problem in found, found


def test_step_references_are_only_checked_when_asked():
    assert template_problem("{{steps.5.body}}") is None
