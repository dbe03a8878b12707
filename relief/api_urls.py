"""The REST API, mounted at /api/."""

from rest_framework.routers import DefaultRouter

from claims.api import ClaimViewSet
from payouts.api import FundViewSet

router = DefaultRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("funds", FundViewSet, basename="fund")

urlpatterns = router.urls
