"""Time zone choices shared by every model that records where a person lives."""

import zoneinfo
from functools import lru_cache


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith("Etc/")
    )
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


def is_valid_time_zone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def place_name(name: str) -> str:
    """A zone as people say it: "New York time" for America/New_York, "UTC" for UTC."""
    if not name or name == "UTC":
        return "UTC"
    return f"{name.rsplit('/', 1)[-1].replace('_', ' ')} time"
