"""Dates as Thai readers write them: Bangkok time, Buddhist era, Thai month names.

No pandas here: `oneplan status` shows these dates and starts without pandas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

BANGKOK = timezone(timedelta(hours=7))  # Thailand keeps UTC+7 all year
BE_OFFSET = 543
THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)


def thai_datetime(moment: datetime | str | None, seconds: bool = False) -> str:
    """`2 ธันวาคม 2569 02:09 น.`: Bangkok time, Buddhist era (naive values and ISO texts
    without a zone are taken as UTC); with `seconds`, `02:09:05 น.`."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(BANGKOK)
    month = THAI_MONTHS[local.month - 1]
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local.day} {month} {local.year + BE_OFFSET} {clock} น."
