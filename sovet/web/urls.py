from django.urls import path

from sovet.web import ledger_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:slug>/", views.organization, name="organization"),
    path("o/<slug:slug>/councils/<int:council_id>/", views.council, name="council"),
    path("o/<slug:slug>/record/", views.record, name="record"),
    path("o/<slug:slug>/congress/", views.congress, name="congress"),
    path("o/<slug:slug>/motions/<int:number>/", views.motion, name="motion"),
    path("ledger/public-key.json", ledger_views.public_key, name="ledger-public-key"),
    path("o/<slug:slug>/ledger/head.json", ledger_views.head, name="ledger-head"),
    path(
        "o/<slug:slug>/ledger/entries/<int:seq>/proof.json",
        ledger_views.entry_proof,
        name="ledger-entry-proof",
    ),
    path(
        "o/<slug:slug>/ledger/consistency.json",
        ledger_views.consistency,
        name="ledger-consistency",
    ),
    path("o/<slug:slug>/receipts/<str:code>.json", ledger_views.receipt, name="receipt"),
    path("o/<slug:slug>/minutes.<str:form>", ledger_views.minutes, name="minutes"),
    path("o/<slug:slug>/mandates/<int:mandate_id>/recall/", views.open_recall, name="open-recall"),
    path(
        "o/<slug:slug>/recalls/<int:recall_id>/support/",
        views.support_recall,
        name="support-recall",
    ),
]
