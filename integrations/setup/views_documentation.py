"""The Documentation tab: an integration's general page and one page per use case, rendered from
Markdown (sanitised, ``services/documentation.render_markdown``) and edited in a plain form."""
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required, viewer_required
from integrations.models import GENERAL_DOC_ID
from integrations.setup import selectors
from integrations.setup.services import documentation


class DocumentationPageForm(forms.Form):
    title = forms.CharField(max_length=documentation.MAX_TITLE, strip=False)
    content = forms.CharField(required=False, max_length=documentation.MAX_CONTENT, strip=False,
                              widget=forms.Textarea(attrs={"class": "code", "rows": 22}),
                              help_text="Markdown (CommonMark with tables). Raw HTML is shown as text.")


def _integration(request, integration_id):
    try:
        return selectors.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)


def _subject(integration, doc_id):
    """The use case a page documents (None for ``general``); 404 for anything else."""
    try:
        doc_id = documentation.normalize_doc_id(doc_id)
    except NotFound as exc:
        raise Http404(exc.message)
    if doc_id == GENERAL_DOC_ID:
        return doc_id, None
    use_case = integration.use_cases.filter(pk=doc_id).first()
    if use_case is None:
        raise Http404("No such use case in this integration")
    return doc_id, use_case


@viewer_required
def documentation_index(request, integration_id):
    integration = _integration(request, integration_id)
    pages = {page.doc_id: page for page in documentation.list_pages(integration)}
    general = pages.get(GENERAL_DOC_ID)
    rows = [{"use_case": uc, "page": pages.get(str(uc.pk))} for uc in integration.use_cases.order_by("created_at")]
    return render(request, "integrations/documentation.html", {
        "integration": integration, "tab": "documentation", "general": general,
        "general_html": documentation.render_markdown(general.content) if general else "",
        "rows": rows, "can_edit": request.membership.allows("editor"),
    })


@viewer_required
def documentation_page(request, integration_id, doc_id):
    integration = _integration(request, integration_id)
    doc_id, use_case = _subject(integration, doc_id)
    try:
        page = documentation.get_page(integration, doc_id)
    except NotFound:
        if request.membership.allows("editor"):
            return redirect("ui-integrations:documentation-edit", integration_id=integration.pk, doc_id=doc_id)
        raise Http404("This page has not been written yet")
    return render(request, "integrations/documentation_page.html", {
        "integration": integration, "use_case": use_case, "tab": "documentation", "page": page,
        "html": documentation.render_markdown(page.content), "can_edit": request.membership.allows("editor"),
    })


@editor_required
def documentation_edit(request, integration_id, doc_id):
    integration = _integration(request, integration_id)
    doc_id, use_case = _subject(integration, doc_id)
    existing = documentation.list_pages(integration)
    page = next((p for p in existing if p.doc_id == doc_id), None)
    initial = {"title": page.title, "content": page.content} if page else {
        "title": use_case.name if use_case else integration.name}
    form = DocumentationPageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            documentation.upsert_page(integration, doc_id, form.cleaned_data, request.user.get_username())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Documentation saved.")
            return redirect("ui-integrations:documentation-page", integration_id=integration.pk, doc_id=doc_id)
    preview = documentation.render_markdown(form["content"].value() or "") if request.method == "POST" else ""
    return render(request, "integrations/documentation_edit.html", {
        "integration": integration, "use_case": use_case, "tab": "documentation", "form": form, "page": page,
        "doc_id": doc_id, "preview": preview,
    }, status=400 if request.method == "POST" else 200)


@require_POST
@editor_required
def documentation_delete(request, integration_id, doc_id):
    integration = _integration(request, integration_id)
    doc_id, _ = _subject(integration, doc_id)
    try:
        documentation.delete_page(integration, doc_id)
    except NotFound as exc:
        raise Http404(exc.message)
    messages.success(request, "Documentation page deleted.")
    return redirect("ui-integrations:documentation", integration_id=integration.pk)
