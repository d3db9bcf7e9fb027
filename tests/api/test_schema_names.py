"""Every schema in the OpenAPI document has one definition: two classes with one name would share a component,
and the document would describe one route with the other's schema (schemathesis then fails, or worse, clients)."""

import importlib
import inspect
import pkgutil

from ninja import Schema

import opencro


def _api_modules():
    for info in pkgutil.walk_packages(opencro.__path__, "opencro."):
        if info.name.endswith(("api", "_api")) or ".api." in info.name:
            yield importlib.import_module(info.name)


def test_schema_class_names_are_unique_or_identical():
    seen: dict[str, tuple[str, dict]] = {}
    clashes = []
    for module in _api_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Schema) or cls is Schema or cls.__module__ != module.__name__:
                continue
            shape = cls.model_json_schema()
            if name in seen and seen[name][1] != shape:
                clashes.append(f"{name}: {seen[name][0]} and {module.__name__}")
            seen.setdefault(name, (module.__name__, shape))
    assert not clashes, clashes
