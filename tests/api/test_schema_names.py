"""OpenAPI names a component after its class: two different schemas with one name would overwrite each other
there (the spec would describe one shape for both routes). Same-named schemas must have the same shape."""

from collections import defaultdict

from ninja import Schema

from opencro.api import api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_schemas_sharing_a_name_have_the_same_shape():
    api.get_openapi_schema()  # every router registered, so every schema class is imported
    by_name = defaultdict(list)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("opencro."):
            by_name[cls.__name__].append(cls)
    clashes = {
        name: [c.__module__ for c in classes]
        for name, classes in by_name.items()
        if len({str(c.model_json_schema()) for c in classes}) > 1
    }
    assert clashes == {}
