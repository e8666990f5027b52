from django.apps import AppConfig


class CongressConfig(AppConfig):
    name = "sovet.congress"
    label = "congress"
    default_auto_field = "django.db.models.BigAutoField"
