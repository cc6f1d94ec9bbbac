"""Time zone choices shared by every model that records where a person lives."""

import zoneinfo
from functools import lru_cache
from importlib import resources
from pathlib import Path

SYSTEM_ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


def _zone_tab() -> str:
    """The tz database's list of canonical zones, one per region (zone.tab): it leaves out
    the old aliases (US/Eastern, Asia/Calcutta) that only confuse a choice."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return SYSTEM_ZONE_TAB.read_text("utf-8")


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    available = zoneinfo.available_timezones()
    names = sorted(
        {
            line.split("\t")[2]
            for line in _zone_tab().splitlines()
            if line and not line.startswith("#") and line.split("\t")[2] in available
        }
    )
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


def is_valid_time_zone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def place_name(name: str) -> str:
    """A zone as people say it: "New York time" for America/New_York, "UTC" for UTC."""
    if not name or name == "UTC":
        return "UTC"
    return f"{name.rsplit('/', 1)[-1].replace('_', ' ')} time"
