"""Write a large FICTIONAL MedDRA release (tens of thousands of LLTs) for load-time measurements.

The small fictional release (`opencro.formats.coding.fictional`) has 32 LLTs; a licensed MedDRA has
about 80,000. This writes the same file layout with invented names ("Fictional term 00042") and
9-digit codes starting with 9, every PT under one primary HLT, every 8th under a second HLT too.
"""

from pathlib import Path

from opencro.formats.coding.meddra import FIELDS

SOCS, HLGTS_PER_SOC, HLTS_PER_HLGT, PTS_PER_HLT = 26, 13, 6, 12  # 26 x 13 x 6 x 12 = 24,336 PTs


def _write(folder: Path, name: str, rows: list[list[object]]) -> None:
    width = len(FIELDS[name])
    lines = []
    for row in rows:
        values = [str(value) for value in row]
        lines.append("$".join(values + [""] * (width - len(values))) + "$\r\n")
    (folder / name).write_text("".join(lines), encoding="latin-1")


def write_big_meddra(directory: str | Path, llts: int = 80_000, version: str = "99.0") -> Path:
    """Write a release with `llts` LLTs (PTs included, 1 in 50 non-current); return the folder."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    socs = [(910000000 + s, f"Fictional organ class {s:02d}", f"F{s:02d}") for s in range(1, SOCS + 1)]
    hlgts, hlts, pts = [], [], []
    for soc_code, _name, _abbrev in socs:
        for _g in range(HLGTS_PER_SOC):
            hlgt = 920000000 + len(hlgts) + 1
            hlgts.append((hlgt, f"Fictional group {len(hlgts) + 1:04d}", soc_code))
            for _h in range(HLTS_PER_HLGT):
                hlt = 930000000 + len(hlts) + 1
                hlts.append((hlt, f"Fictional high level term {len(hlts) + 1:05d}", hlgt, soc_code))
                for _p in range(PTS_PER_HLT):
                    pts.append((940000000 + len(pts) + 1, f"Fictional preferred term {len(pts) + 1:06d}", hlt))
    if llts < len(pts):
        raise ValueError(f"at least {len(pts)} LLTs: every PT is an LLT")
    names = {code: name for code, name, *_rest in (*socs, *hlgts, *hlts, *pts)}
    hlt_parent = {code: (hlgt, soc) for code, _name, hlgt, soc in hlts}
    abbrev = {code: a for code, _name, a in socs}
    links = []  # (pt, hlt, primary)
    for index, (code, _name, hlt) in enumerate(pts):
        links.append((code, hlt, True))
        if index % 8 == 0:
            other = hlts[(index * 7 + 3) % len(hlts)][0]
            if hlt_parent[other][1] != hlt_parent[hlt][1]:
                links.append((code, other, False))
    llt_rows = [[code, name, code, "", "", "", "", "", "", "Y"] for code, name, _hlt in pts]
    for n in range(llts - len(pts)):
        pt = pts[n % len(pts)][0]
        llt_rows.append(
            [950000000 + n + 1, f"Fictional term {n + 1:06d}", pt, "", "", "", "", "", "", "NY"[n % 50 > 0]]
        )
    _write(folder, "soc.asc", [[c, n, a] for c, n, a in socs])
    _write(folder, "hlgt.asc", [[c, n] for c, n, _s in hlgts])
    _write(folder, "hlt.asc", [[c, n] for c, n, _g, _s in hlts])
    _write(folder, "pt.asc", [[c, n, "", hlt_parent[h][1]] for c, n, h in pts])
    _write(folder, "llt.asc", llt_rows)
    _write(folder, "soc_hlgt.asc", [[s, c] for c, _n, s in hlgts])
    _write(folder, "hlgt_hlt.asc", [[g, c] for c, _n, g, _s in hlts])
    _write(folder, "hlt_pt.asc", [[hlt, pt] for pt, hlt, _primary in links])
    primary_soc = {pt: hlt_parent[hlt][1] for pt, hlt, primary in links if primary}
    _write(
        folder,
        "mdhier.asc",
        [
            [
                pt,
                hlt,
                hlt_parent[hlt][0],
                hlt_parent[hlt][1],
                names[pt],
                names[hlt],
                names[hlt_parent[hlt][0]],
                names[hlt_parent[hlt][1]],
                abbrev[hlt_parent[hlt][1]],
                "",
                primary_soc[pt],
                "Y" if primary else "N",
            ]
            for pt, hlt, primary in links
        ],
    )
    (folder / "meddra_release.asc").write_text(f"{version}$English$$\r\n", encoding="latin-1")
    return folder
