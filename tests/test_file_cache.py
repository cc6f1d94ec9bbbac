"""The file cache lists its folder on a sample of writes, and still keeps to its limit."""

from __future__ import annotations

from flowcoach.lib import file_cache


def test_it_lists_its_folder_on_few_writes_and_still_culls(tmp_path, monkeypatch):
    cache = file_cache.FileCache(
        str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50, "CULL_FREQUENCY": 2}}
    )
    listings = []
    real = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listings.append(1) or real())
    for number in range(3_000):
        cache.set(f"key-{number}", "value", 60)
    files = len(real())
    # 3,000 writes: Django's own cache lists the folder 3,000 times.
    assert 10 < len(listings) < 3_000 / file_cache.CHECK_EVERY * 2
    # Past its limit by at most a few dozen files between checks (at worst a few hundred).
    assert files < 50 + 10 * file_cache.CHECK_EVERY
    assert cache.get("key-2999") == "value"
