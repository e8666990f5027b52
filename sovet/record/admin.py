from django.contrib import admin

from sovet.admin_actions import ReadOnlyAdmin
from sovet.record.models import RecordEntry


@admin.register(RecordEntry)
class RecordEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "organization", "at", "actor", "action", "statute_version"]
    list_select_related = ["organization"]
    list_filter = ["organization"]
    search_fields = ["action", "=actor"]
