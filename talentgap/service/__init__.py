"""The HTTP prediction service (``talentgap serve``; extra ``talentgap[service]``).

>>> from talentgap.service import create_app  # doctest: +SKIP
"""

from talentgap.service.app import create_app, reload_model
from talentgap.service.settings import ServiceSettings, read_token_file

__all__ = ["create_app", "reload_model", "ServiceSettings", "read_token_file"]
