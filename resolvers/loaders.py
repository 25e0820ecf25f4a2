"""Per-request DataLoaders: one database command per loader per tick.

Every relationship is fetched by its foreign key through one of these, so a
query's command count depends on its depth, never on its page size.
"""

import asyncio
from asyncio import Future
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from functools import cached_property, partial
from typing import Any, TypeVar

from strawberry.dataloader import Batch, DataLoader, LoaderTask, dispatch_batch, should_create_new_batch

from datastore import contacts, groups, invitations, organisations, outbox, people, rosters
from datastore.client import Database
from datastore.generations import Generation
from datastore.organisations import Groups, OrganisationFilter
from datastore.records.contacts import RoleContact
from datastore.records.groups import Group
from datastore.records.invitations import Invitation
from datastore.records.organisations import Organisation

from datastore.records.outbox import Notification
from datastore.records.people import Person
from datastore.records.rosters import RosterEntry
from datastore.rosters import RosterPage

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

Fetch = Callable[[Database, Iterable[Any]], Awaitable[list[R]]]


class SharedFuture(Future):
    """A key's value, which every field that asks for the key awaits.

    One waiter's cancellation must not cancel it for the others: a task cancels
    the future it waits on when it is cancelled itself, and graphql-core
    cancels the futures it gathers when a sibling field fails, so a plain
    future shared by two fields turned the second field's wait into a
    CancelledError that escaped the execution. This one refuses to be cancelled:
    a cancelled waiter is woken when the batch settles (one read), and the
    others get the value. The batch (`dispatch_batch`, a task of its own that
    no waiter's cancellation reaches) is what settles it.
    """

    __slots__ = ()

    def cancel(self, msg: Any = None) -> bool:
        return False


class Loader(DataLoader[K, R]):
    """Strawberry's DataLoader without a callback per key, with futures no
    waiter can cancel (SharedFuture) and batches settled however their read
    ends (_settle_left: one callback a batch).

    Its `load` gives each key's future a done callback (to cancel a batch
    whose every caller went away) and its `load_many` gathers one future per
    key: a level of 500 rows cost 1,000 callbacks when its batch settled.
    Here a key joins the tick's batch with no callback (a batch is read
    even when every waiter went away: it is one read, and the request's
    other fields, or its fallback to graphql-core, may ask again), and
    `load_many` awaits the futures in turn: a batch settles all of its
    futures in one pass, so that suspends about once per batch.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: set[asyncio.Task] = set()  # the batches' reads still in flight

    def load(self, key: K) -> Future[R]:
        future = self.cache_map.get(key)
        if future is not None and not future.cancelled():
            return future
        future = SharedFuture(loop=self.loop)
        self.cache_map.set(key, future)
        batch = self.batch
        if batch is None or not batch.tasks or should_create_new_batch(self, batch):
            batch = self.batch = Batch()
            self.loop.call_soon(self._dispatch, batch)
        batch.tasks.append(LoaderTask(key, future))
        return future

    def _dispatch(self, batch: Batch) -> None:
        """As strawberry's `dispatch`, with the batch settled however its task ends."""
        task = batch._dispatch_task = self.loop.create_task(dispatch_batch(self, batch))
        self.reading.add(task)
        task.add_done_callback(lambda _: _settle_left(self, batch))
        task.add_done_callback(self.reading.discard)

    def holds(self, key: K) -> bool:
        """Whether this request has asked for `key` already (loaded or on its way)."""
        future = self.cache_map.get(key)
        return future is not None and not future.cancelled()

    async def load_many(self, keys: Iterable[K]) -> list[R]:  # type: ignore[override]
        futures = [self.load(key) for key in keys]
        for future in futures:
            if not future.done():
                await future
        return [future.result() for future in futures]


class LoadCancelled(RuntimeError):
    """A batch's read was cancelled: what its waiters get instead of a value."""


def _settle_left(loader: Loader, batch: Batch) -> None:
    """Strawberry's `dispatch_batch` settles a batch's futures when its read
    returns or raises an Exception, but not when its task is cancelled (before
    or during the read): those futures would stay pending for good and, since
    no waiter can cancel them (SharedFuture), every field waiting on them too.
    What is left pending when the task ends gets an error instead, and leaves
    the cache: a later load (graphql-core's run after a planned one) reads again,
    in a batch of its own (this one is over, even if its read never began)."""
    batch.dispatched = True
    for task in batch.tasks:
        if not task.future.done():
            task.future.set_exception(LoadCancelled("the read was cancelled"))
            if loader.cache_map.get(task.key) is task.future:
                loader.cache_map.delete(task.key)


def _one_each(db: Database, fetch: Fetch, key: Callable[[R], K]) -> Loader[K, R | None]:
    async def load(keys: Sequence[K]) -> list[R | None]:
        found = {key(r): r for r in await fetch(db, keys)}
        return [found.get(k) for k in keys]

    return Loader(load_fn=load)


def _all_each(db: Database, fetch: Fetch, key: Callable[[R], K]) -> Loader[K, list[R]]:
    async def load(keys: Sequence[K]) -> list[list[R]]:
        grouped: dict[K, list[R]] = defaultdict(list)
        for record in await fetch(db, keys):  # already in display order
            grouped[key(record)].append(record)
        return [grouped.get(k, []) for k in keys]

    return Loader(load_fn=load)


def _organisation_groups(
    db: Database, generation: Generation
) -> Loader[tuple[OrganisationFilter, tuple[str, ...]], Groups]:
    """Organisations counted by some fields, keyed by (filter, fields): the
    statistics asked for in one tick with the same filter (counts by several
    dimensions, a cross-tab, a trend) share one aggregate over every field any
    of them needs, since each reads only its own fields of the groups. Kept
    for the generation (datastore.generations): a dashboard asks again and again."""

    async def load(keys: Sequence[tuple[OrganisationFilter, tuple[str, ...]]]) -> list[Groups]:
        fields: dict[OrganisationFilter, set[str]] = defaultdict(set)
        for where, names in keys:
            fields[where].update(names)
        found = {
            where: await generation.answer(
                ["organisations"], ("organisation groups", where, tuple(sorted(names))),
                partial(organisations.count_groups, db, where, names),
            )
            for where, names in fields.items()
        }
        return [found[where] for where, _ in keys]

    return Loader(load_fn=load)


# A page's tenures, and how many its whole list holds when that came
# with them (cut from a whole roster); None: ask rosters.count_page.
RosterSlice = tuple[list[RosterEntry], int | None]


def _roster_pages(
    db: Database, whole_rosters: Loader[str, list[RosterEntry]], generation: Generation
) -> Loader[RosterPage, RosterSlice]:
    """Pages of rosters. The pages of one group are read alone when its
    roster is longer than the largest of them: a work stream holds 2,818
    tenures at scale 10, of which a page shows at most 500. Those of several
    groups, of a group whose whole roster the request reads anyway (its
    chairs, its organisations), or of a roster that fits in the page, are cut
    from whole rosters, read for every group in one command: a roster level
    still costs one, and a short roster one read where a page read alone
    can take several (an engine may read it role by role: datastore/engines)."""

    async def load(pages: Sequence[RosterPage]) -> list[RosterSlice]:
        group_ids = list(dict.fromkeys(w.group_id for w in pages))
        if len(group_ids) == 1 and not whole_rosters.holds(group_ids[0]):
            # The count an unfiltered page's totalCount reads too.
            size = await rosters.kept_count(db, generation, RosterPage(group_ids[0], limit=0))
            if size > max(w.limit for w in pages):
                pages = await asyncio.gather(*(rosters.read_page_of(db, w) for w in pages))
                return [(page, None) for page in pages]
        found = dict(zip(group_ids, await whole_rosters.load_many(group_ids)))
        return [w.cut(found[w.group_id]) for w in pages]

    return Loader(load_fn=load)


class Loaders:
    """A request's loaders, each made when first used: most requests use a few."""

    def __init__(self, db: Database, generation: Generation | None = None):
        self.db = db
        # Answers over many records, kept while the records stay as they are.
        self.generation = generation or Generation(db)

    @cached_property
    def organisation(self) -> Loader[str, Organisation | None]:
        return _one_each(self.db, organisations.by_ids, lambda o: o.id)

    @cached_property
    def person(self) -> Loader[str, Person | None]:
        return _one_each(self.db, people.by_ids, lambda p: p.id)

    @cached_property
    def group(self) -> Loader[str, Group | None]:
        return _one_each(self.db, groups.by_ids, lambda g: g.id)

    @cached_property
    def contacts_of_organisation(self) -> Loader[str, list[RoleContact]]:
        return _all_each(self.db, contacts.by_organisations, lambda c: c.organisation_id)

    @cached_property
    def contacts_of_person(self) -> Loader[str, list[RoleContact]]:
        return _all_each(self.db, contacts.by_people, lambda c: c.person_id)

    @cached_property
    def people_of_organisation(self) -> Loader[str, list[Person]]:
        return _all_each(self.db, people.by_affiliations, lambda p: p.affiliation_id)

    @cached_property
    def children_of_group(self) -> Loader[str, list[Group]]:
        return _all_each(self.db, groups.by_parents, lambda g: g.parent_id)

    @cached_property
    def roster_of_group(self) -> Loader[str, list[RosterEntry]]:
        return _all_each(self.db, rosters.by_groups, lambda r: r.group_id)

    @cached_property
    def roster_page(self) -> Loader[RosterPage, RosterSlice]:
        return _roster_pages(self.db, self.roster_of_group, self.generation)

    @cached_property
    def roster_of_person(self) -> Loader[str, list[RosterEntry]]:
        return _all_each(self.db, rosters.by_people, lambda r: r.person_id)

    @cached_property
    def organisation_groups(self) -> Loader[tuple[OrganisationFilter, tuple[str, ...]], Groups]:
        return _organisation_groups(self.db, self.generation)

    @cached_property
    def contact(self) -> Loader[str, RoleContact | None]:
        return _one_each(self.db, contacts.by_ids, lambda c: c.id)

    @cached_property
    def roster_entry(self) -> Loader[str, RosterEntry | None]:
        return _one_each(self.db, rosters.by_ids, lambda r: r.id)

    async def settle(self) -> None:
        """Wait until no read is in flight: those asked for, and those about to be
        sent (a batch is sent on the next turn of the event loop). How each ended
        is the affair of whoever awaits its keys."""
        await asyncio.sleep(0)
        while reading := [task for loader in vars(self).values() if isinstance(loader, Loader) for task in loader.reading]:
            await asyncio.wait(reading)
            await asyncio.sleep(0)

    @cached_property
    def invitation(self) -> Loader[str, Invitation | None]:
        return _one_each(self.db, invitations.by_ids, lambda i: i.id)

    @cached_property
    def notification(self) -> Loader[str, Notification | None]:
        async def fetch(db: Database, ids: Sequence[str]) -> list:
            return [n for n in await outbox.by_ids(db, ids) if n is not None]

        return _one_each(self.db, fetch, lambda n: n.id)

    def forget(self) -> None:
        """Drop every record loaded, once the request is answered (Context.forget_loaded)."""
        for loader in vars(self).values():
            if isinstance(loader, Loader):
                loader.clear_all()
                loader.batch = None
        self.generation.forget()


async def load_required(loader: Loader[K, R | None], keys: Sequence[K], referrers: Sequence[Any]) -> list[R]:
    """The records the `referrers` (records with an id) point to by `keys`, in
    one load; the import checks references, so a miss is a data fault. A
    referrer's id is only worked out for the message: contacts and roster
    entries derive theirs by hashing."""
    found = await loader.load_many(keys)
    for record, key, referrer in zip(found, keys, referrers):
        if record is None:
            raise LookupError(f"{type(referrer).__name__} {referrer.id} points to missing {key}")
    return found
