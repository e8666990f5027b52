"""Admin pages whose "add" runs an action: the admin writes through the same actions as the rest."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from sovet.errors import ActionError


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows only an action writes: listed and viewed, never added, changed or deleted here."""

    # Counting a million rows on every list page is the slow part; the paginator still pages.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActionAdmin(ReadOnlyAdmin):
    """Read-only rows; adding one runs `perform` with a plain form and shows refusals on it."""

    add_form: type[forms.Form]
    perform: Callable[[HttpRequest, dict[str, Any]], Model]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin.ModelAdmin.has_add_permission(self, request)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse("You may not add these.", status=403)
        form = self.add_form(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    created = self.perform(request, form.cleaned_data)
                except ActionError as refusal:
                    form.add_error(None, refusal.message)
                    status = refusal.status
                else:
                    messages.success(request, f"Added {created}.")
                    opts = self.model._meta
                    return HttpResponseRedirect(
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                    )
            else:
                status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": f"Add {self.model._meta.verbose_name}",
            "opts": self.model._meta,
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/sovet/action_form.html", context, status=status)
