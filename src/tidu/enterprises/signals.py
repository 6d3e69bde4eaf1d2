"""What the register tells other apps, without knowing them.

`figures_imported` is sent once an import's transaction has committed, with the firms whose records it
created or changed: the dashboard (tidu.insights) queues a refresh of their standings. A receiver returns
a sentence for the import's job page ("已自动提交…") or None; a receiver that fails is logged and does not
undo the import (it has committed).
"""

from __future__ import annotations

from django.dispatch import Signal

# sender: the module that imported; kwargs: actor (the user), enterprise_ids (sorted list of int), job_id (str)
figures_imported = Signal()
