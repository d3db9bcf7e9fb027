"""The risk register's heat map as the pages and the status report show it: the cells of the risks not closed, with
their titles in the reader's language, drawn by `risk_heatmap`."""

from django.db.models import QuerySet
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opencro.partnership import risk_heatmap, risk_reads
from opencro.partnership.models import ProjectRisk


def heat_map_svg(risks: QuerySet[ProjectRisk]) -> str:
    """The heat map of the risks not closed among `risks`, marked safe (risk_heatmap escapes every text)."""
    rows = []
    for row in risk_reads.heat_map(risks):
        cells = []
        for cell in row:
            tip = ngettext(
                "Likelihood %(l)d, impact %(i)d (score %(score)d, %(level)s): %(n)d risk",
                "Likelihood %(l)d, impact %(i)d (score %(score)d, %(level)s): %(n)d risks",
                cell.count,
            ) % {
                "l": cell.likelihood,
                "i": cell.impact,
                "score": cell.score,
                "level": cell.level_label,
                "n": cell.count,
            }
            cells.append(risk_heatmap.Cell(cell.likelihood, cell.impact, cell.count, cell.level, tip))
        rows.append(cells)
    labels = risk_heatmap.HeatLabels(
        title=_("Risks not closed by likelihood and impact"), likelihood=_("Likelihood"), impact=_("Impact")
    )
    return mark_safe(risk_heatmap.heatmap_svg(rows, labels=labels))  # noqa: S308 - escaped there
