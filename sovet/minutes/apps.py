from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "sovet.minutes"
    label = "minutes"
