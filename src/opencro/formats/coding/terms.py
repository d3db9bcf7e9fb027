"""Term-name matching shared by the MedDRA and WHODrug readers: what "the same name" means, and browser search.

Coders type verbatim text; dictionaries differ from it in case and spacing only far more often than in
substance, so exact lookups compare case-folded names with runs of whitespace collapsed.
"""

from collections.abc import Hashable, Iterable


def normalise(name: str) -> str:
    """Fold case and collapse whitespace: the key under which two names are the same term."""
    return " ".join(name.casefold().split())


def rank_matches[K: Hashable](text: str, candidates: Iterable[tuple[str, str, K]], limit: int) -> list[K]:
    """Return the keys of up to `limit` candidates whose normalised name contains `text`, best first.

    `candidates` yields (normalised name, display name, key). Ranking: exact match, then names starting
    with the text, then names with a word starting with it, then any other substring match; ties sorted by
    display name (case-insensitively) so that the browser's order is stable.
    """
    needle = normalise(text)
    if not needle or limit <= 0:
        return []
    scored: list[tuple[int, str, str, K]] = []
    for key_name, display, key in candidates:
        position = key_name.find(needle)
        if position < 0:
            continue
        if key_name == needle:
            rank = 0
        elif position == 0:
            rank = 1
        elif f" {needle}" in key_name or f"-{needle}" in key_name:
            rank = 2
        else:
            rank = 3
        scored.append((rank, key_name, display, key))
    scored.sort(key=lambda item: (item[0], item[1], item[2]))
    return [item[3] for item in scored[:limit]]
