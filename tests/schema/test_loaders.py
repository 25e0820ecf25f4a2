"""resolvers.loaders.Loader: Strawberry's DataLoader batching, without a
callback per key (the loader's own behaviour, no database needed)."""

import asyncio

import pytest

from resolvers.loaders import Loader


def recording_loader(fail_on: str | None = None) -> tuple[Loader[str, str], list[list[str]]]:
    batches: list[list[str]] = []

    async def load(keys):
        batches.append(list(keys))
        if fail_on in keys:
            raise LookupError(f"cannot read {fail_on}")
        return [key.upper() for key in keys]

    return Loader(load_fn=load), batches


async def test_loads_of_one_tick_share_one_batch_and_repeat_keys_are_read_once():
    loader, batches = recording_loader()
    many, one, again = await asyncio.gather(loader.load_many(["a", "b", "a"]), loader.load("c"), loader.load_many(["b"]))
    assert (many, one, again) == (["A", "B", "A"], "C", ["B"])
    assert [sorted(batch) for batch in batches] == [["a", "b", "c"]]


async def test_a_later_tick_reads_only_keys_not_read_before():
    loader, batches = recording_loader()
    await loader.load_many(["a", "b"])
    assert await loader.load_many(["b", "c"]) == ["B", "C"]
    assert batches == [["a", "b"], ["c"]]


async def test_a_failed_batch_fails_every_load_in_it():
    loader, _ = recording_loader(fail_on="b")
    with pytest.raises(LookupError, match="cannot read b"):
        await loader.load_many(["a", "b"])
    with pytest.raises(LookupError):
        await loader.load("a")  # its future holds the batch's failure, as Strawberry's does


async def test_a_load_whose_caller_was_cancelled_is_read_again_when_asked_again():
    loader, batches = recording_loader()
    waiting = asyncio.ensure_future(loader.load_many(["a"]))
    await asyncio.sleep(0)  # the caller now waits on the key's future
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await loader.load("a") == "A"
    assert batches[-1] == ["a"]


async def test_a_request_makes_only_the_loaders_it_uses_and_forgets_what_they_loaded():
    from resolvers.loaders import Loaders

    loaders = Loaders(db=object())  # type: ignore[arg-type]  # nothing is read here
    assert not any(isinstance(value, Loader) for value in vars(loaders).values())
    person = loaders.person
    assert loaders.person is person
    person.prime("per_1", None)
    assert [name for name, value in vars(loaders).items() if isinstance(value, Loader)] == ["person"]
    loaders.forget()
    assert loaders.person is person and not person.holds("per_1")
