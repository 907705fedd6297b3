"""Plain-data dataclasses to JSON and back, generic over their fields' type hints.

`encode(obj)` turns a dataclass (and the dataclasses inside it) into lists of field values;
`decoder(cls)(data)` rebuilds one from what `json.loads` gave back, checking every value
against the type hints on the way: data of the wrong shape or type (a damaged or foreign
store) is a `CodecError`, never a wrong object that fails later. A field added to a dataclass
is picked up without touching this module.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from sys import intern
from typing import Any

from vaultkit.errors import CodecError

Convert = Callable[[Any], Any]


def encode(obj: Any) -> Any:
    """`obj` as JSON-able data (dataclasses as lists of their fields, in order)."""
    cls: type = type(obj)
    return _encoder(cls)(obj)


def _identity(value: Any) -> Any:
    return value


@functools.cache
def _encoder(cls: type) -> Convert:
    if not dataclasses.is_dataclass(cls):
        return _identity
    hints = typing.get_type_hints(cls)
    parts = [(f.name, _encoder_for(hints[f.name])) for f in dataclasses.fields(cls)]

    def encode_one(obj: Any) -> list[Any]:
        return [convert(getattr(obj, name)) for name, convert in parts]

    return encode_one


def _encoder_for(hint: Any) -> Convert:
    if dataclasses.is_dataclass(hint):
        return _encoder(
            typing.cast(type, hint)
        )  # (is_dataclass narrows it to "a type or an instance")
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and args and dataclasses.is_dataclass(args[0]):
        inner = _encoder(typing.cast(type, args[0]))
        return lambda items: [inner(item) for item in items]
    return _identity  # json encodes the rest (tuples as lists: the decoder restores them)


def decoder(cls: type) -> Convert:
    """A function from `encode(obj)`'s JSON back to `obj`; raises CodecError on bad data."""
    return _decoder(cls)


@functools.cache
def _decoder(cls: type) -> Convert:
    hints = typing.get_type_hints(cls)
    fields = [_decoder_for(hints[f.name]) for f in dataclasses.fields(cls)]
    required = sum(
        f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        for f in dataclasses.fields(cls)
    )

    def decode_one(data: Any) -> Any:
        if type(data) is not list or not required <= len(data) <= len(fields):
            raise CodecError(f"{cls.__name__}: expected a list of {len(fields)} fields")
        return cls(*[convert(value) for convert, value in zip(fields, data, strict=False)])

    return decode_one


INTERNED = 40
"""Texts up to this long are interned: a vault's names, keys, tags and links recur in
thousands of notes, and each note would otherwise hold its own copies."""


def interned(text: str) -> str:
    """`text`, one object for every equal short text (the parser's and the decoder's)."""
    return intern(text) if len(text) <= INTERNED else text


def _text(value: Any) -> str:
    if type(value) is not str:
        raise CodecError("expected str")
    return interned(value)


def _check(kinds: tuple[type, ...]) -> Convert:
    def check(value: Any) -> Any:
        if type(value) not in kinds:
            raise CodecError(f"expected {' or '.join(k.__name__ for k in kinds)}")
        return value

    return check


def _decoder_for(hint: Any) -> Convert:
    if hint is Any:
        return _identity  # whatever JSON holds
    if hint is str:
        return _text
    if hint in (int, bool):
        return _check((hint,))
    if hint is float:
        return _check((float, int))
    if dataclasses.is_dataclass(hint):
        return _decoder(hint)  # type: ignore[arg-type]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        allowed = set(args)

        def literal(value: Any) -> Any:
            if value not in allowed:
                raise CodecError(f"expected one of {sorted(map(str, allowed))}")
            return value

        return literal
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"cannot decode {hint}")
        inner = _decoder_for(options[0])
        return lambda value: None if value is None else inner(value)
    if origin is list:
        item = _decoder_for(args[0])
        is_list = _check((list,))
        if item is _identity:
            return is_list
        return lambda value: [item(x) for x in is_list(value)]
    if origin is dict:
        item = _decoder_for(args[1])
        is_dict = _check((dict,))
        if item is _identity:
            return lambda value: {interned(k): v for k, v in is_dict(value).items()}
        return lambda value: {interned(k): item(v) for k, v in is_dict(value).items()}
    if origin is tuple:
        return _tuple_decoder(args)
    raise TypeError(f"cannot decode {hint}")


def _tuple_decoder(args: tuple[Any, ...]) -> Convert:
    is_list = _check((list,))
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder_for(args[0])
        return lambda value: tuple(item(x) for x in is_list(value))
    items = [_decoder_for(a) for a in args]

    def fixed(value: Any) -> tuple[Any, ...]:
        if len(is_list(value)) != len(items):
            raise CodecError(f"expected {len(items)} values")
        return tuple(convert(x) for convert, x in zip(items, value, strict=True))

    return fixed
