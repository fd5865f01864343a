"""The holidays a workspace can greet on, and their date in a given year."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Callable

import holidays

from saas.plugin_api import _l


@lru_cache(maxsize=16)
def _china(year: int) -> dict[str, date]:
    """The first day of each Chinese public holiday in `year`, by its English name."""
    first: dict[str, date] = {}
    for day, name in sorted(holidays.country_holidays("CN", years=year, language="en_US").items()):
        first.setdefault(name, day)
    return first


def _lunar(name: str) -> Callable[[int], date | None]:
    return lambda year: _china(year).get(name)


# key -> (label, date in a year). The lunar ones move every year; the holidays package knows them.
HOLIDAYS: dict[str, tuple] = {
    "new_year": (_l("New Year (元旦)"), lambda year: date(year, 1, 1)),
    "spring_festival": (_l("Spring Festival (春节)"), _lunar("Chinese New Year (Spring Festival)")),
    "dragon_boat": (_l("Dragon Boat Festival (端午节)"), _lunar("Dragon Boat Festival")),
    "mid_autumn": (_l("Mid-Autumn Festival (中秋节)"), _lunar("Mid-Autumn Festival")),
    "national_day": (_l("National Day (国庆节)"), lambda year: date(year, 10, 1)),
    "christmas": (_l("Christmas"), lambda year: date(year, 12, 25)),
}


def holidays_on(day: date, chosen: list[str]) -> list[str]:
    """The chosen holidays that fall on `day`."""
    return [key for key in chosen if key in HOLIDAYS and HOLIDAYS[key][1](day.year) == day]


def holiday_label(key: str) -> str:
    return str(HOLIDAYS[key][0]) if key in HOLIDAYS else key
