from django.contrib import admin

from sovet.admin_actions import ReadOnlyAdmin
from sovet.congress.models import Body, Election, Faction, Motion, Session


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "council", "number", "opens_on", "place", "state"]
    list_select_related = ["council"]
    list_filter = ["state"]


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "kind", "state", "organization"]
    list_select_related = ["organization"]
    list_filter = ["kind", "state"]
    search_fields = ["title"]


@admin.register(Faction)
class FactionAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "declared_at"]
    list_select_related = ["organization"]


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "seats"]
    list_select_related = ["organization"]


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    list_display = ["body", "session", "seats", "method", "state"]
    list_select_related = ["body", "session"]
