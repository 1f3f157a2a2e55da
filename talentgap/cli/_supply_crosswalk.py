"""The ``[plan] crosswalk`` by industry as the supply of past training reads it.

A ``program, industry, share`` crosswalk says which industries a programme's
graduates go to; the plan splits its new places that way, and the panel must
split the output of the same programmes' past training the same way (the
programme's recorded industry is replaced by the industries it feeds). A
crosswalk may name only some of the trained programmes (those the plan
funds): the others keep their recorded industry, which
:func:`past_supply_crosswalk` writes as a row of share 1 so that
:func:`talentgap.features.build_panel` reads one table for every programme.
"""

from __future__ import annotations

import pandas as pd

from talentgap.errors import ConfigError, warn

__all__ = ["past_supply_crosswalk"]

#: Programmes shown in a message.
_SHOWN = 5


def past_supply_crosswalk(crosswalk: pd.DataFrame, training: pd.DataFrame | None,
                          path: str) -> pd.DataFrame | None:
    """The crosswalk the panel spreads past training with, or None to keep recorded industries.

    Parameters
    ----------
    crosswalk : pandas.DataFrame
        The ``[plan] crosswalk`` (``program, industry, share``).
    training : pandas.DataFrame or None
        The validated training table.
    path : str
        The crosswalk's file, for messages.

    Returns
    -------
    pandas.DataFrame or None
        ``program, industry, share``: the crosswalk's rows, then a row of share
        1 to its recorded industry for each trained programme the crosswalk
        does not name. None when no trained programme is in the crosswalk (it
        plans new programmes only), the training table has no ``program``, or
        the crosswalk's shares vary by another column (such as ``region``:
        then a warning says that past supply keeps its recorded industries).

    Raises
    ------
    ConfigError
        A programme the crosswalk does not name is recorded under several
        industries (its past output cannot be told apart from the crosswalk's
        programmes by programme alone): the message names it.

    Examples
    --------
    >>> import pandas as pd
    >>> cw = pd.DataFrame({"program": ["welding", "welding"],
    ...                    "industry": ["construction", "equipment"], "share": [0.6, 0.4]})
    >>> training = pd.DataFrame({"program": ["welding", "sewing"],
    ...                          "industry": ["construction", "textiles"]})
    >>> past_supply_crosswalk(cw, training, "crosswalk.csv")
       program      industry  share
    0  welding  construction    0.6
    1  welding     equipment    0.4
    2   sewing      textiles    1.0
    """
    if training is None or "program" not in training.columns or "industry" not in training:
        return None
    trained = training[["program", "industry"]].astype(str).drop_duplicates()
    listed = set(crosswalk["program"].astype(str))
    if not trained["program"].isin(listed).any():
        return None
    other = [c for c in crosswalk.columns if c not in ("program", "industry", "share")]
    if other:
        warn(f"[plan] crosswalk ({path}) gives shares by {', '.join(map(repr, other))}: the "
             "supply of past training keeps each programme's recorded industry (only new "
             "places are split by the crosswalk), so past and planned output of a programme "
             "feeding several industries are not counted alike")
        return None
    own = trained[~trained["program"].isin(listed)]
    several = own["program"].duplicated(keep=False)
    if several.any():
        names = pd.unique(own.loc[several, "program"])
        shown = "; ".join(f"{p!r} under {sorted(own.loc[own['program'] == p, 'industry'])}"
                          for p in names[:_SHOWN])
        raise ConfigError(
            f"[plan] crosswalk ({path}) splits the output of past training of the programmes "
            f"it names, and the others keep their recorded industry, but {len(names)} "
            f"programme(s) it does not name are recorded under several industries: {shown}; "
            "give them rows in the crosswalk (program, industry, share), or a programme "
            "name per industry in the training table")
    keep = own.assign(share=1.0)
    return pd.concat([crosswalk[["program", "industry", "share"]], keep], ignore_index=True)
