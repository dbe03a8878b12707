from django.urls import path

from claims.views import applications, detail, lists, notices

app_name = "claims"

urlpatterns = [
    path("", lists.queue, name="queue"),
    path("claims/", lists.claim_list, name="list"),
    path("claims/new/", applications.register, name="register"),
    path(
        "claims/new/households/",
        applications.household_options,
        name="household_options",
    ),
    path("claims/<int:pk>/", detail.detail, name="detail"),
    path("claims/<int:pk>/step/", detail.take_step, name="step"),
    path("claims/<int:pk>/deliberation/", detail.deliberation, name="deliberation"),
    path("claims/<int:pk>/documents/", applications.add_documents, name="document_add"),
    path("claims/<int:pk>/objection/", notices.objection_record, name="objection"),
    path("documents/<int:pk>/", applications.download_document, name="document"),
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/new/", notices.notice_open, name="notice_open"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/pdf/", notices.notice_pdf, name="notice_pdf"),
    path(
        "objections/<int:pk>/resolve/",
        notices.objection_resolve,
        name="objection_resolve",
    ),
]
