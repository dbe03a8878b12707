"""Payout computation from a band table. Pure functions on Decimal.

The verified amount is split by the table's bands. In marginal mode each
slice above the deductible is paid at its own band's rate. In whole mode the
band the amount falls in sets the rate for everything above the deductible.
The result is capped by what is left of the household's annual cap and
rounded half-up to the fen once, at the end.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from payouts.money import round_fen

ZERO = Decimal("0")


@dataclass(frozen=True)
class Band:
    lower: Decimal
    upper: Decimal | None  # None: no upper bound
    rate: Decimal


@dataclass(frozen=True)
class Table:
    deductible: Decimal
    bands: Sequence[Band]
    mode: str  # "marginal" or "whole"
    annual_cap: Decimal


@dataclass
class Payout:
    amount: Decimal
    uncapped: Decimal
    cap_left: Decimal
    slices: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "amount": str(self.amount),
            "uncapped": str(self.uncapped),
            "cap_left": str(self.cap_left),
            "slices": self.slices,
        }


def describe_band(band: Band) -> str:
    upper = "∞" if band.upper is None else band.upper
    return f"{band.lower}–{upper} @ {band.rate}"


def table_errors(
    deductible: Decimal, bands: Sequence[Band], rows: Sequence[int] | None = None
) -> list[str]:
    """Return what is wrong with a band table, one message per fault.

    A valid table has at least one band. Sorted by lower bound, the first band
    starts at the deductible, each next band starts where the previous one
    ends, only the last band may have no upper bound, and every rate is
    between 0 and 1. ``rows`` gives each band's row number for the messages
    (1, 2, ... by default).
    """
    if not bands:
        return [_("A payout table needs at least one band.")]
    numbers = list(rows) if rows is not None else list(range(1, len(bands) + 1))
    ordered = sorted(zip(numbers, bands, strict=True), key=lambda pair: pair[1].lower)
    errors = []
    previous: Band | None = None
    for index, (row, band) in enumerate(ordered):
        names = {"row": row, "band": describe_band(band), "lower": band.lower}
        if not Decimal(0) <= band.rate <= Decimal(1):
            errors.append(
                _("Band %(row)s (%(band)s): the rate %(rate)s is not between 0 and 1.")
                % {**names, "rate": band.rate}
            )
        if band.upper is not None and band.upper <= band.lower:
            errors.append(
                _("Band %(row)s (%(band)s) ends at %(upper)s, not above its start.")
                % {**names, "upper": band.upper}
            )
        if band.upper is None and index < len(ordered) - 1:
            errors.append(
                _(
                    "Band %(row)s (%(band)s) has no upper bound, but only the last "
                    "band may be open-ended."
                )
                % names
            )
        if previous is None:
            if band.lower != deductible:
                errors.append(
                    _(
                        "Band %(row)s (%(band)s) starts at %(lower)s, but the first "
                        "band must start at the deductible %(deductible)s."
                    )
                    % {**names, "deductible": deductible}
                )
        elif previous.upper is not None and band.lower > previous.upper:
            errors.append(
                _(
                    "Band %(row)s (%(band)s) starts at %(lower)s, which leaves a gap "
                    "after the previous band's end at %(end)s."
                )
                % {**names, "end": previous.upper}
            )
        elif previous.upper is None or band.lower < previous.upper:
            end = "∞" if previous.upper is None else previous.upper
            errors.append(
                _(
                    "Band %(row)s (%(band)s) starts at %(lower)s, so it overlaps the "
                    "previous band, which ends at %(end)s."
                )
                % {**names, "end": end}
            )
        previous = band
    return errors


def compute_payout(verified: Decimal, table: Table, paid_this_year: Decimal) -> Payout:
    """Return the payout for ``verified`` yuan, given what the household was
    already paid for this cause this year.

    Raise ValueError for a negative amount or an invalid band table, so a table
    with overlapping bands or gaps never pays.
    """
    if verified < 0:
        raise ValueError(f"verified amount must not be negative: {verified}")
    errors = table_errors(table.deductible, table.bands)
    if errors:
        raise ValueError("Invalid payout table: " + " ".join(errors))
    bands = sorted(table.bands, key=lambda band: band.lower)
    if table.mode == "whole":
        uncapped, slices = _whole(verified, table.deductible, bands)
    else:
        uncapped, slices = _marginal(verified, table.deductible, bands)
    cap_left = max(table.annual_cap - paid_this_year, ZERO)
    amount = round_fen(min(uncapped, cap_left))
    return Payout(amount=amount, uncapped=uncapped, cap_left=cap_left, slices=slices)


def _marginal(
    verified: Decimal, deductible: Decimal, bands: Sequence[Band]
) -> tuple[Decimal, list[dict[str, str]]]:
    total = ZERO
    slices = []
    for band in bands:
        lower = max(band.lower, deductible)
        upper = verified if band.upper is None else min(band.upper, verified)
        if upper <= lower:
            continue
        part = (upper - lower) * band.rate
        total += part
        slices.append(
            {
                "from": str(lower),
                "to": str(upper),
                "rate": str(band.rate),
                "amount": str(part),
            }
        )
    return total, slices


def _whole(
    verified: Decimal, deductible: Decimal, bands: Sequence[Band]
) -> tuple[Decimal, list[dict[str, str]]]:
    if verified <= deductible:
        return ZERO, []
    band = next(
        (
            band
            for band in bands
            if band.lower < verified and (band.upper is None or verified <= band.upper)
        ),
        None,
    )
    if band is None:
        return ZERO, []
    part = (verified - deductible) * band.rate
    slice_ = {
        "from": str(deductible),
        "to": str(verified),
        "rate": str(band.rate),
        "amount": str(part),
    }
    return part, [slice_]
