from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "sovet.live"
    label = "live"
