"""Sweeps over sorted day intervals, for rules that count or cover days.

A rule streams its intervals from one ordered query (days as ordinals: ``ctx.sql.day_number``) and
these functions walk them once, holding only one subject's intervals at a time:

- ``exceeding`` counts concurrent intervals per subject (interns per post, apprentices per mentor)
  at each change point (a first day, the day after a last day, a day the limit changes) and keeps
  the runs of days on which the count is above the subject's limit;
- ``uncovered`` gives the days of one span that no interval covers (insurance cover).

Both cost O(n log n) in the intervals of a subject, however long the intervals are.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import math
import operator
from typing import Callable, Hashable, Iterable, Iterator, Sequence

#: one step of a limit: (first day as an ordinal, or None for "from the beginning"; the limit, or
#: None where the rule does not apply)
Step = tuple[int | None, object]


def exceeding(rows: Iterable[Sequence], steps: Callable[[Hashable], Sequence[Step]], *, key_columns: int = 1,
              marked: bool = False, on: int | None = None) -> Iterator[tuple[Hashable, list[tuple[int, int, int]]]]:
    """Runs of days on which a subject's concurrent intervals exceed its limit.

    ``rows`` are ``(*subject, first_day, last_day, mark)``: ``key_columns`` columns naming the
    subject, then the interval's days as ordinals (both included), sorted by subject, then first
    day. ``steps(subject)`` gives the subject's limit as steps sorted by day (the subject is a
    value, or a tuple when ``key_columns`` > 1; no steps: the subject is skipped); a count exceeds
    a limit when it is greater. With ``marked``, a run counts only while one of the intervals
    counted has a true ``mark``; with ``on``, only the run holding that day counts.

    Yields ``(subject, [(first_day, last_day, count), ...])`` for each subject with a run, the runs
    in day order (touching runs stay separate; ``merged`` joins them)."""
    for subject, group in itertools.groupby(rows, key=operator.itemgetter(*range(key_columns))):
        limits = steps(subject)
        if not limits:
            continue
        # a whole count is above a limit exactly when it is above the limit's floor
        limits = [(day, None if value is None else math.floor(value)) for day, value in limits]
        floors = [value for _day, value in limits if value is not None]
        if not floors:
            continue  # the rule applies on no day
        group = list(group)
        if peak(group, key_columns) <= min(floors):
            continue  # never above even the lowest limit: most subjects, found without the sweep
        runs = _sweep(group, key_columns, limits, marked, on)
        if runs:
            yield subject, runs


def peak(rows: Sequence[Sequence], k: int = 1) -> int:
    """The most intervals of ``rows`` (sorted by first day, the days in columns ``k`` and ``k + 1``)
    that share a day. The count peaks on some first day; on the first day of the ``n``-th interval
    it is ``n`` less the intervals that ended before that day (found by bisection, in C)."""
    firsts = [r[k] for r in rows]
    lasts = sorted([r[k + 1] for r in rows])
    return max(map(operator.sub, itertools.count(1), map(bisect.bisect_left, itertools.repeat(lasts), firsts)), default=0)


_NEVER = 1 << 62  # a day after every real one


def _sweep(group: Iterable[Sequence], k: int, limits: Sequence[Step], marked: bool, on: int | None) -> list[tuple[int, int, int]]:
    push, pop = heapq.heappush, heapq.heappop
    rows = iter(group)
    row = next(rows, None)
    start = _NEVER if row is None else row[k]
    ends: list[int] = []  # days after the last day of the intervals counted now (a heap)
    marked_ends: list[int] = []
    bounds = [first for first, _ in limits[1:]] + [_NEVER]
    step, limit = 0, limits[0][1]
    runs: list[tuple[int, int, int]] = []
    while start < _NEVER or ends:
        day = start
        if ends:
            day = min(day, ends[0], bounds[step])
            while ends and ends[0] <= day:
                pop(ends)
            while marked_ends and marked_ends[0] <= day:
                pop(marked_ends)
        while start == day:
            push(ends, row[k + 1] + 1)
            if marked and row[k + 2]:
                push(marked_ends, row[k + 1] + 1)
            row = next(rows, None)
            start = _NEVER if row is None else row[k]
        while bounds[step] <= day:
            step += 1
            limit = limits[step][1]
        count = len(ends)
        if not count or limit is None or count <= limit or (marked and not marked_ends):
            continue
        following = min(start, ends[0], bounds[step])
        if on is None or day <= on < following:
            runs.append((day, following - 1, count))
    return runs


def merged(runs: Sequence[tuple[int, int, int]]) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, int]]:
    """The runs' days as date ranges (touching runs joined) and the peak: the earliest first day
    of the runs with the highest count, with that count."""
    ranges: list[list[int]] = []
    for first, last, _count in runs:
        if ranges and ranges[-1][1] + 1 == first:
            ranges[-1][1] = last
        else:
            ranges.append([first, last])
    peak = max(runs, key=lambda r: (r[2], -r[0]))
    return ([(dt.date.fromordinal(a), dt.date.fromordinal(b)) for a, b in ranges],
            (dt.date.fromordinal(peak[0]), peak[2]))


def uncovered(first: int, last: int, intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The days from ``first`` to ``last`` (ordinals, both included) that none of ``intervals``
    covers, as ``(first, last)`` ranges; ``intervals`` are sorted by their first day."""
    gaps = []
    reach = first  # the first day not yet known to be covered
    for a, b in intervals:
        if a > last:
            break
        if b < reach or b < a:  # adds nothing (or is empty)
            continue
        if a > reach:
            gaps.append((reach, a - 1))
        reach = b + 1
        if reach > last:
            return gaps
    gaps.append((reach, last))
    return gaps
