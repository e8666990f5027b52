from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sovet.record.models import RecordEntry


@admin.register(RecordEntry)
class RecordEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["seq", "organization", "at", "actor", "action", "statute_version"]
    list_select_related = ["organization"]
    list_filter = ["organization"]
    search_fields = ["action", "=actor"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
