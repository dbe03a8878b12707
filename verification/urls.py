from django.urls import path

from verification import views

app_name = "verification"

urlpatterns = [
    path("schedule/", views.schedule, name="schedule"),
    path("my-visits/", views.my_visits, name="my_visits"),
    path("claims/<int:pk>/schedule/", views.schedule_visit, name="schedule_visit"),
    path("claims/<int:pk>/home-check/", views.record_home_check, name="record"),
    path("<int:pk>/", views.verification_detail, name="detail"),
]
