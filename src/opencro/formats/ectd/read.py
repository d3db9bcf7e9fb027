"""Read a sequence folder's backbones into a `SequenceManifest` (used by build for lifecycle and by validate)."""

from pathlib import Path

from opencro.formats.ectd.backbone import read_index, read_leaves
from opencro.formats.ectd.model import INDEX_FILE, US_REGIONAL_PATH, SequenceManifest
from opencro.formats.errors import FormatError, Problem


def read_sequence(seq_dir: Path) -> SequenceManifest:
    """Leaves of `<seq_dir>/index.xml` then of `m1/us/us-regional.xml` (when present), in document order.

    Raises FormatError, located by backbone file and line, when index.xml is missing or malformed.
    """
    seq_dir = Path(seq_dir)
    index = seq_dir / INDEX_FILE
    if not index.is_file():
        raise FormatError(Problem(f"{seq_dir.name}/{INDEX_FILE}", "missing"))
    leaves = read_index(index)
    regional = seq_dir / US_REGIONAL_PATH
    if regional.is_file():
        leaves.extend(read_leaves(regional, US_REGIONAL_PATH))
    return SequenceManifest(sequence=seq_dir.name, path=seq_dir, leaves=tuple(leaves))
