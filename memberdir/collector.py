"""Python's cycle collector, tuned for a process that serves requests.

A request allocates tens of thousands of short-lived containers (records,
fields, futures). With Python's default thresholds (700, 10, 10) that sets off
a young collection every 700 allocations and, now and then, a full one that
walks every object the process holds: the modules, the schema, the country
tables. On query a (100 organisations and their contacts) that was about a
fifth of the request's CPU (bench/overhead.py, "gc" column).

So what exists once the app is built is frozen (taken out of the collector's
sight: it lives as long as the process anyway), and a young collection waits
for 20,000 allocations. Reference counting still frees everything without
cycles at once; the few cycles a request leaves wait a little longer. What a
request loaded is dropped when it is answered (Context.forget_loaded), so
those cycles are small: before, its records waited in them for a collection,
and each collection walked them (query c at scale 10: 13-15 ms of collector
time per request, then 0.4).
"""

import gc

YOUNG_COLLECTION_EVERY = 20_000


def tune_for_serving() -> None:
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, older, oldest)
