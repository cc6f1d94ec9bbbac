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


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Old names (Asia/Calcutta, US/Eastern, Etc/UTC) and the choice that keeps the same
    clock. Browsers and spreadsheets still use them, and a stored name that no choice
    matches would turn into UTC the next time its form is saved. A name is matched by its
    tz data: an alias is a link to the very same file. Where several choices share one file
    (GB: London, Jersey, Guernsey…), the one with the same place name wins, else the tz
    database's main zone for that clock."""
    canonical = [name for name, _ in time_zone_choices()]
    try:
        folder = resources.files("tzdata").joinpath("zoneinfo")
    except ModuleNotFoundError:
        return {}  # no tzdata package: the system's zones, taken as they are written

    def data(name: str) -> bytes | None:
        try:
            return folder.joinpath(name).read_bytes()
        except OSError:  # a system-only name such as "localtime"
            return None

    by_data: dict[bytes | None, list[str]] = {}
    for name in canonical:
        by_data.setdefault(data(name), []).append(name)
    by_data.pop(None, None)
    # zone1970.tab names one zone per clock shared since 1970 (Europe/London for GB and the
    # islands): the tie-breaker when no choice shares the old name's place.
    primary = {
        line.split("\t")[2]
        for line in folder.joinpath("zone1970.tab").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    }
    found = {}
    for name in sorted(zoneinfo.available_timezones() - set(canonical)):
        candidates = by_data.get(data(name), [])
        place = [c for c in candidates if c.rsplit("/", 1)[-1] == name.rsplit("/", 1)[-1]]
        main = [c for c in candidates if c in primary]
        if candidates:
            found[name] = (place or main or candidates)[0]
    return found


def canonical_time_zone(name: str) -> str:
    """The choice for a zone name: itself when it is one, its current name when it is an old
    alias, otherwise unchanged (validate it separately)."""
    return aliases().get(name, name)


def place_name(name: str) -> str:
    """A zone as people say it: "New York time" for America/New_York, "UTC" for UTC."""
    if not name or name == "UTC":
        return "UTC"
    return f"{name.rsplit('/', 1)[-1].replace('_', ' ')} time"
