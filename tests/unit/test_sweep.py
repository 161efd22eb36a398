"""The sweeps of ``xiaoqi.core.rules.sweep`` against counting day by day."""

from __future__ import annotations

import datetime as dt
import random

from xiaoqi.core.rules.sweep import exceeding, merged, peak, uncovered

DAY0 = dt.date(2025, 1, 1).toordinal()


def _limit_on(steps, day):
    value = steps[0][1]
    for first, v in steps[1:]:
        if day >= first:
            value = v
    return value


def _by_day(intervals, steps, *, marked=False, on=None):
    """The exceeded days of one subject, counted day by day: {day: count}."""
    out = {}
    if not intervals:
        return out
    for day in range(min(a for a, _, _ in intervals), max(b for _, b, _ in intervals) + 1):
        active = [m for a, b, m in intervals if a <= day <= b]
        limit = _limit_on(steps, day)
        if active and limit is not None and len(active) > limit and (not marked or any(active)):
            out[day] = len(active)
    if on is not None:
        # only the run of equal counts (between change points) that holds the day
        if on not in out:
            return {}
        keep = {on}
        for direction in (-1, 1):
            day = on + direction
            while day in out and _same_segment(intervals, steps, day, day - direction):
                keep.add(day)
                day += direction
        out = {d: c for d, c in out.items() if d in keep}
    return out


def _same_segment(intervals, steps, a, b):
    """No change point between the neighbouring days a and b."""
    later = max(a, b)
    starts = {x for x, _, _ in intervals}
    after_ends = {y + 1 for _, y, _ in intervals}
    return later not in starts and later not in after_ends and later not in {f for f, _ in steps[1:]}


def _random_subjects(rng, n_subjects=12):
    rows = []
    for subject in range(n_subjects):
        for _ in range(rng.randint(0, 12)):
            a = DAY0 + rng.randint(0, 90)
            rows.append((f"S{subject:02d}", a, a + rng.randint(0, 40), rng.random() < 0.3))
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def test_exceeding_equals_counting_day_by_day():
    rng = random.Random(7)
    for _ in range(40):
        rows = _random_subjects(rng)
        steps = {f"S{s:02d}": [(None, rng.choice([0, 1, 2, 2.5])), (DAY0 + rng.randint(0, 120), rng.choice([None, 1, 3]))]
                 for s in range(12)}
        for marked in (False, True):
            for on in (None, DAY0 + rng.randint(0, 100)):
                got = {s: runs for s, runs in exceeding(rows, steps.__getitem__, marked=marked, on=on)}
                for s in steps:
                    intervals = [(a, b, m) for k, a, b, m in rows if k == s]
                    want = _by_day(intervals, steps[s], marked=marked, on=on)
                    days = {d: c for first, last, c in got.get(s, []) for d in range(first, last + 1)}
                    assert days == want, (s, marked, on)


def test_exceeding_splits_runs_where_the_limit_changes_and_skips_subjects_without_steps():
    rows = [("A", DAY0, DAY0 + 9, 0), ("A", DAY0 + 2, DAY0 + 5, 0), ("B", DAY0, DAY0 + 3, 0), ("B", DAY0, DAY0 + 3, 0)]
    steps = {"A": [(None, 1), (DAY0 + 4, 0)], "B": []}
    assert list(exceeding(rows, steps.__getitem__)) == [
        ("A", [(DAY0 + 2, DAY0 + 3, 2), (DAY0 + 4, DAY0 + 5, 2), (DAY0 + 6, DAY0 + 9, 1)])]


def test_exceeding_with_two_key_columns():
    rows = [("E", "m1", DAY0, DAY0 + 1, 0), ("E", "m1", DAY0, DAY0, 0), ("E", "m2", DAY0, DAY0 + 3, 0)]
    assert list(exceeding(rows, lambda key: [(None, 1)], key_columns=2)) == [(("E", "m1"), [(DAY0, DAY0, 2)])]


def test_merged_joins_touching_runs_and_takes_the_earliest_peak():
    runs = [(DAY0, DAY0 + 1, 3), (DAY0 + 2, DAY0 + 4, 5), (DAY0 + 8, DAY0 + 8, 5)]
    ranges, (peak_day, peak) = merged(runs)
    d = dt.date.fromordinal
    assert ranges == [(d(DAY0), d(DAY0 + 4)), (d(DAY0 + 8), d(DAY0 + 8))]
    assert (peak_day, peak) == (d(DAY0 + 2), 5)


def test_uncovered_equals_counting_day_by_day():
    rng = random.Random(11)
    for _ in range(500):
        first = DAY0 + rng.randint(0, 30)
        last = first + rng.randint(0, 60)
        intervals = sorted((a, a + rng.randint(-3, 40)) for a in (DAY0 + rng.randint(-20, 100) for _ in range(rng.randint(0, 5))))
        covered = {d for a, b in intervals for d in range(a, b + 1)}
        want_days = [d for d in range(first, last + 1) if d not in covered]
        got = uncovered(first, last, intervals)
        assert [d for a, b in got for d in range(a, b + 1)] == want_days
        assert all(b + 1 < c for (_, b), (c, _) in zip(got, got[1:]))  # maximal ranges, in order


def test_peak_is_the_most_intervals_on_one_day():
    rng = random.Random(3)
    assert peak([]) == 0
    for _ in range(300):
        rows = sorted((("s", a, a + rng.randint(0, 20)) for a in (DAY0 + rng.randint(0, 60) for _ in range(rng.randint(1, 12)))),
                      key=lambda r: r[1])
        by_day = max(sum(a <= day <= b for _, a, b in rows) for day in range(DAY0, DAY0 + 90))
        assert peak(rows) == by_day


def test_a_subject_never_above_its_lowest_limit_is_passed_over_without_a_sweep(monkeypatch):
    from xiaoqi.core.rules import sweep

    swept = []
    monkeypatch.setattr(sweep, "_sweep", lambda group, *a: swept.append(group[0][0]) or [])
    rows = [("low", DAY0, DAY0 + 5, 0), ("low", DAY0 + 1, DAY0 + 2, 0), ("high", DAY0, DAY0 + 5, 0), ("high", DAY0 + 1, DAY0 + 2, 0)]
    limits = {"low": [(None, 2)], "high": [(None, 5), (DAY0 + 3, 1.5)]}
    list(exceeding(rows, limits.get))
    assert swept == ["high"]  # two at once is within low's 2; high's limit falls to 1 on a later day
