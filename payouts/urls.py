from django.urls import path

from payouts import views

app_name = "payouts"

urlpatterns = [
    path("funds/", views.fund_list, name="funds"),
    path("funds/<int:pk>/", views.fund_detail, name="fund"),
    path("claims/<int:pk>/", views.payment_detail, name="payment"),
    path("claims/<int:pk>/approve/", views.approve, name="approve"),
    path("claims/<int:pk>/cancel/", views.cancel_approval, name="cancel"),
    path("claims/<int:pk>/pay/", views.mark_paid, name="mark_paid"),
    path("certificates/check/", views.check_certificate, name="check_certificate"),
    # Two ways to reach one PDF. A positional argument reverses to the last
    # pattern, so {% url 'payouts:certificate_pdf' claim.pk %} takes a claim.
    path(
        "certificates/<int:certificate_pk>.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "claims/<int:claim_pk>/certificate.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
]
