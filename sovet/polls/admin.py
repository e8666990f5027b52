from django.contrib import admin

from sovet.admin_actions import ReadOnlyAdmin
from sovet.polls.models import Poll


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ["question", "council", "kind", "secret", "state", "opened_at"]
    list_select_related = ["council"]
    list_filter = ["kind", "secret", "state"]
