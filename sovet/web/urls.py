from django.urls import path

from sovet.web import congress_views, ledger_views, member_views, views

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
    path("o/<slug:slug>/me/", member_views.member, name="member"),
    path("o/<slug:slug>/statute/", member_views.statute, name="statute"),
    path("o/<slug:slug>/receipts/", member_views.receipt_check, name="receipt-check"),
    # Beside Django's account pages under accounts/: this reset also reaches logins granted
    # without a password (member_views.ResetForm).
    path("accounts/password-reset/", member_views.password_reset, name="password-reset"),
    path(
        "accounts/password-reset/sent/",
        member_views.password_reset_sent,
        name="password-reset-sent",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        member_views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "accounts/password-reset/done/",
        member_views.password_reset_done,
        name="password-reset-done",
    ),
    path("o/<slug:slug>/delegate/", congress_views.delegate, name="delegate"),
    path(
        "o/<slug:slug>/nominations/<int:candidate_id>/answer/",
        congress_views.answer_nomination,
        name="answer-nomination",
    ),
    path("o/<slug:slug>/polls/<int:poll_id>/ballot/", congress_views.cast, name="cast-ballot"),
    path("o/<slug:slug>/sessions/<int:session_id>/", congress_views.session_page, name="session"),
    path(
        "o/<slug:slug>/sessions/<int:session_id>/parts/<slug:part>/",
        congress_views.session_part,
        name="session-part",
    ),
    path("o/<slug:slug>/sessions/<int:session_id>/ballot/", congress_views.ballot, name="ballot"),
    path(
        "o/<slug:slug>/sessions/<int:session_id>/seat/<slug:act>/",
        congress_views.seat_act,
        name="seat-act",
    ),
    path("o/<slug:slug>/sessions/<int:session_id>/chair/", congress_views.chair, name="chair"),
    path(
        "o/<slug:slug>/sessions/<int:session_id>/chair/parts/<slug:part>/",
        congress_views.chair_part,
        name="chair-part",
    ),
    path(
        "o/<slug:slug>/sessions/<int:session_id>/chair/<slug:act>/",
        congress_views.chair_act,
        name="chair-act",
    ),
]
