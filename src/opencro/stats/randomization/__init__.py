"""Randomisation for the RTSM: pre-generated permuted-block lists and dynamic allocation (pure, no I/O).

- `permuted_block_list`: stratified permuted blocks, fixed or randomly varied block sizes, unequal ratios,
  reproducible from a seed (`lists`); `list_to_csv` / `read_list_csv` / `check_list_csv` (`csvio`).
- `Minimisation`: Pocock-Simon minimisation, incremental, its state rebuildable from stored allocations.
- `EfronBiasedCoin`: Efron's biased coin for two arms.

Bad arguments raise `DesignInputError(parameter, message)`; a CSV list that fails its checks raises
`ListValidationError` with every problem located by row and column.
"""

from opencro.stats.design.errors import DesignInputError
from opencro.stats.randomization.biased_coin import CoinAllocation, EfronBiasedCoin, efron_probabilities
from opencro.stats.randomization.csvio import (
    COLUMNS,
    ListCheck,
    ListProblem,
    ListValidationError,
    check_list_csv,
    list_to_csv,
    read_list_csv,
)
from opencro.stats.randomization.lists import (
    ListRow,
    RandomizationList,
    check_block_sizes,
    permuted_block_list,
    strata_of,
    stratum_label,
)
from opencro.stats.randomization.minimisation import (
    METHODS,
    Allocation,
    Minimisation,
    Scores,
    biased_coin_probabilities,
)

__all__ = [
    "COLUMNS",
    "METHODS",
    "Allocation",
    "CoinAllocation",
    "DesignInputError",
    "EfronBiasedCoin",
    "ListCheck",
    "ListProblem",
    "ListRow",
    "ListValidationError",
    "Minimisation",
    "RandomizationList",
    "Scores",
    "biased_coin_probabilities",
    "check_block_sizes",
    "check_list_csv",
    "efron_probabilities",
    "list_to_csv",
    "permuted_block_list",
    "read_list_csv",
    "strata_of",
    "stratum_label",
]
