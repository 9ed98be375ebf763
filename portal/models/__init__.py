"""Database tables, one module per area; everything is re-exported here so ``from portal.models import X`` works.

Add a table to the module of its area and import it below; then generate a migration.
"""

from portal.models.core import *  # noqa: F403
from portal.models.core import (  # noqa: F401  (names star-import would skip)
    ADOPTION_LABELS,
    CHANNELS,
    COMMENT_STATUS_LABELS,
    COORDINATOR_ROLES,
    DOCUMENT_TYPES,
    NOTICE_KINDS,
    PROJECT_KINDS,
    PROJECT_STATUS_LABELS,
    REPLY_STATE_LABELS,
    ROLE_LABELS,
    STAGE_BY_CHINESE,
    STAGE_LABELS,
)
from portal.models.participation import *  # noqa: F403
from portal.models.qa import *  # noqa: F403
from portal.models.respond import *  # noqa: F403
from portal.models.review import *  # noqa: F403
from portal.models.topics import *  # noqa: F403
