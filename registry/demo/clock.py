"""A simulated clock for replaying the program's last weeks.

The demo drives every claim through the real services, which read the time
from ``django.utils.timezone.now``. Replaying the steps on a clock that the
loader moves forward gives every stored date a consistent story: a notice that
passed was opened more than its full period before it closed, and a payment
comes after its approval. Nothing is re-dated after it is written.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.db.models.signals import pre_save
from django_fsm_log.models import StateLog


class SimulatedClock:
    def __init__(self, start: datetime.datetime) -> None:
        self._now = start

    def now(self) -> datetime.datetime:
        return self._now

    def move_to(self, moment: datetime.datetime) -> None:
        """Set the time, unless that would move the clock backwards."""
        if moment > self._now:
            self._now = moment


@contextmanager
def simulated_time(clock: SimulatedClock) -> Iterator[SimulatedClock]:
    """Make ``timezone.now`` and the transition log read ``clock`` inside the block.

    django-fsm-log's timestamp default is bound to the real ``now`` at import,
    so a ``pre_save`` receiver stamps new log rows instead. The patch is
    process-wide: run nothing else in the process meanwhile.
    """

    def stamp(sender: type, instance: StateLog, **kwargs: object) -> None:
        if instance._state.adding:
            instance.timestamp = clock.now()

    pre_save.connect(stamp, sender=StateLog, weak=False)
    try:
        with mock.patch("django.utils.timezone.now", clock.now):
            yield clock
    finally:
        pre_save.disconnect(stamp, sender=StateLog)
