"""Read a submitted form page: `v:OID:repeat` values, `cb:OID:repeat` checkbox markers, `nd:` reasons."""

from django.http import QueryDict

from opencro.edc.entries import ItemEntry
from opencro.edc.uploads import Upload, max_upload_bytes


def _split(name: str) -> tuple[str, int] | None:
    oid, _sep, repeat = name.rpartition(":")
    if not oid or not repeat.isdigit() or int(repeat) < 1:
        return None
    return oid, int(repeat)


def entries_from_post(post: QueryDict) -> tuple[list[ItemEntry], dict[str, str]]:
    """Return the entries to save and the raw text per "OID:repeat" (to show back on a rejected save)."""
    values: dict[tuple[str, int], str | None] = {}
    reasons: dict[tuple[str, int], str] = {}
    for name in post:
        prefix, _sep, rest = name.partition(":")
        key = _split(rest)
        if key is None:
            continue
        if prefix == "v":
            values[key] = ",".join(v for v in post.getlist(name) if v) if len(post.getlist(name)) > 1 else post[name]
        elif prefix == "cb":
            values.setdefault(key, None)
        elif prefix == "nd":
            reasons[key] = post[name].strip()
    entries, raw = [], {}
    for key in sorted(set(values) | set(reasons)):
        value = values.get(key)
        reason = reasons.get(key, "")
        if reason and not (value or "").strip():
            entries.append(ItemEntry(key[0], None, key[1], reason))
        else:
            entries.append(ItemEntry(key[0], value, key[1]))
        raw[f"{key[0]}:{key[1]}"] = value or ""
    return entries, raw


def uploads_from_files(files) -> list[Upload]:
    """The files of a submitted form page: `file:OID:repeat` inputs (an empty input is no upload)."""
    uploads = []
    for name, upload in files.items():
        prefix, _sep, rest = name.partition(":")
        key = _split(rest)
        if prefix == "file" and key is not None and upload.size:
            uploads.append(Upload(key[0], upload.name, upload.read(max_upload_bytes() + 1), key[1]))
    return uploads
