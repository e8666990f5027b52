from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sovet.web"
    label = "web"
