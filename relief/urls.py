from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from relief.health import healthz

urlpatterns = [
    path("", include("claims.urls")),
    path("payouts/", include("payouts.urls")),
    path("verification/", include("verification.urls")),
    path("api/", include("relief.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
]
