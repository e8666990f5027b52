from django.urls import path

from sovet.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:slug>/", views.organization, name="organization"),
    path("o/<slug:slug>/councils/<int:council_id>/", views.council, name="council"),
    path("o/<slug:slug>/record/", views.record, name="record"),
    path("o/<slug:slug>/mandates/<int:mandate_id>/recall/", views.open_recall, name="open-recall"),
    path(
        "o/<slug:slug>/recalls/<int:recall_id>/support/",
        views.support_recall,
        name="support-recall",
    ),
]
