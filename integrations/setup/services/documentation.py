"""Documentation pages of an integration (list/get/upsert/delete) and their Markdown rendering.

Page ids: ``general`` for the integration-wide page, otherwise the id of a use case of *this* integration
(at most one page each). The PUT is an upsert of ``{title 1-150, content <= 100 000}``; a use-case page
for a use case that is not in the integration is a 404. Pages go with their integration or use case
(FK cascade). Rendering (``render_markdown``) is for the UI only: CommonMark without raw HTML, then
sanitised with an allow-list, so a page can never carry script into a consultant's browser.
"""
from __future__ import annotations

import re

import nh3
from django.db import transaction
from markdown_it import MarkdownIt

from erpintegration.exceptions import NotFound, ValidationFailed
from integrations.models import GENERAL_DOC_ID, DocumentationPage, DocumentationScope, Integration, UseCase

DOC_ID = re.compile(r"^(general|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")
MAX_TITLE = 150
MAX_CONTENT = 100_000


def normalize_doc_id(doc_id: str) -> str:
    """``general`` or the lower-case use case uuid; NotFound for anything else (no such page can exist)."""
    if not isinstance(doc_id, str) or not DOC_ID.match(doc_id):
        raise NotFound(f"Documentation page {doc_id} not found")
    return doc_id.lower()


def list_pages(integration: Integration) -> list[DocumentationPage]:
    return list(DocumentationPage.objects.filter(integration=integration).order_by("created_at", "doc_id"))


def get_page(integration: Integration, doc_id: str) -> DocumentationPage:
    page = DocumentationPage.objects.filter(integration=integration, doc_id=normalize_doc_id(doc_id)).first()
    if page is None:
        raise NotFound(f"Documentation page {doc_id} not found")
    return page


def validate_page(data) -> dict:
    """``UpsertDocumentationPageRequest``: 400 naming the field for anything else."""
    if not isinstance(data, dict):
        raise ValidationFailed("The request body must be a JSON object")
    problems = []
    title, content = data.get("title"), data.get("content")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        problems.append(("title", f"is required and must be a string of 1 to {MAX_TITLE} characters"))
    if not isinstance(content, str) or len(content) > MAX_CONTENT:
        problems.append(("content", f"is required and must be a Markdown string of at most {MAX_CONTENT} characters"))
    if problems:
        raise ValidationFailed("; ".join(f"{p}: {m}" for p, m in problems),
                               details=[{"path": p, "message": m} for p, m in problems])
    return {"title": title, "content": content}


@transaction.atomic
def upsert_page(integration: Integration, doc_id: str, data: dict, actor: str | None) -> DocumentationPage:
    doc_id = normalize_doc_id(doc_id)
    fields = validate_page(data)
    use_case = None
    if doc_id != GENERAL_DOC_ID:
        use_case = UseCase.objects.filter(integration=integration, pk=doc_id).first()
        if use_case is None:
            raise NotFound(f"Integration or use case not found: no use case {doc_id} in this integration")
    Integration.objects.select_for_update().filter(pk=integration.pk).first()  # one writer per integration
    page = DocumentationPage.objects.filter(integration=integration, doc_id=doc_id).first()
    if page is None:
        page = DocumentationPage(
            organization_id=integration.organization_id, integration=integration, use_case=use_case,
            doc_id=doc_id, scope=DocumentationScope.INTEGRATION if use_case is None else DocumentationScope.USE_CASE,
            created_by=actor or None,
        )
    page.title, page.content, page.updated_by = fields["title"], fields["content"], actor or None
    page.save()
    return page


@transaction.atomic
def delete_page(integration: Integration, doc_id: str) -> None:
    page = get_page(integration, doc_id)
    page.delete()


def page_summary(page: DocumentationPage) -> dict:
    """``DocumentationPageSummary``: ``use_case_id`` only on use-case pages; who is null when unknown."""
    out = {"id": page.doc_id, "integration_id": str(page.integration_id), "scope": page.scope,
           "title": page.title, "created_at": _iso(page.created_at), "created_by": page.created_by,
           "updated_at": _iso(page.updated_at), "updated_by": page.updated_by}
    if page.use_case_id:
        out["use_case_id"] = str(page.use_case_id)
    return out


def page_detail(page: DocumentationPage) -> dict:
    return {**page_summary(page), "content": page.content}


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")
ALLOWED_TAGS = {"a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code",
                "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "img"}


def render_markdown(content: str) -> str:
    """Safe HTML of a page: raw HTML is escaped by the renderer, then everything outside the allow-list
    (tags, attributes, ``javascript:`` URLs) is dropped by nh3; links get ``rel="noopener noreferrer"``."""
    html = _markdown.render(content or "")
    return nh3.clean(html, tags=ALLOWED_TAGS,
                     attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                                 "td": {"align"}, "ol": {"start"}, "code": {"class"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
