"""One SQL generator per kind of PostgreSQL object, all behind :class:`trueup.engines.interface.generators.KindSQL`."""

from __future__ import annotations

from trueup.engines.interface.generators import KindSQL
from trueup.engines.postgres.kinds.collations import CollationSQL
from trueup.engines.postgres.kinds.columns import ColumnSQL
from trueup.engines.postgres.kinds.constraints import ConstraintSQL
from trueup.engines.postgres.kinds.default_privileges import DefaultPrivilegeSQL
from trueup.engines.postgres.kinds.event_triggers import EventTriggerSQL
from trueup.engines.postgres.kinds.extensions import ExtensionSQL, SchemaSQL
from trueup.engines.postgres.kinds.foreign import (
    ForeignDataWrapperSQL,
    ForeignServerSQL,
    ForeignTableSQL,
    UserMappingSQL,
)
from trueup.engines.postgres.kinds.functions import FunctionSQL
from trueup.engines.postgres.kinds.indexes import IndexSQL
from trueup.engines.postgres.kinds.inherited_columns import InheritedColumnSQL
from trueup.engines.postgres.kinds.publications import PublicationSQL
from trueup.engines.postgres.kinds.ranges import RangeSQL
from trueup.engines.postgres.kinds.rules import RuleSQL
from trueup.engines.postgres.kinds.security import CommentSQL, GrantSQL, PolicySQL, RlsSQL
from trueup.engines.postgres.kinds.sequences import SequenceOwnerSQL, SequenceSQL
from trueup.engines.postgres.kinds.statistics import StatisticsSQL
from trueup.engines.postgres.kinds.tables import TableSQL
from trueup.engines.postgres.kinds.triggers import TriggerSQL
from trueup.engines.postgres.kinds.types import CompositeSQL, DomainSQL, EnumSQL
from trueup.engines.postgres.kinds.views import MaterializedViewSQL, ViewSQL

GENERATORS: dict[str, KindSQL] = {
    g.kind: g
    for g in (
        SchemaSQL(), ExtensionSQL(), EnumSQL(), DomainSQL(), CompositeSQL(), SequenceSQL(),
        SequenceOwnerSQL(), TableSQL(), ColumnSQL(), InheritedColumnSQL(), ConstraintSQL(), IndexSQL(),
        ViewSQL(), MaterializedViewSQL(), FunctionSQL(), TriggerSQL(), RlsSQL(), PolicySQL(), GrantSQL(),
        CommentSQL(),
        ForeignDataWrapperSQL(), ForeignServerSQL(), UserMappingSQL(), ForeignTableSQL(),
        EventTriggerSQL(), PublicationSQL(), DefaultPrivilegeSQL(),
        RangeSQL(), CollationSQL(), StatisticsSQL(), RuleSQL(),
    )
}

#: order in which kinds are created when nothing else decides (drops use the reverse)
KIND_ORDER = (
    "schema", "extension", "enum", "domain", "composite_type", "sequence", "function", "table", "column",
    "inherited_column", "sequence_owner", "constraint", "index", "view", "materialized_view", "trigger",
    "rls", "policy", "grant", "comment",
    "foreign_data_wrapper", "foreign_server", "user_mapping", "foreign_table",
    "event_trigger", "publication", "default_privilege",
    "collation", "range", "statistics", "rule",  # (their dependencies order them: see inspect_kinds.py)
)

#: each kind's category in the audit's findings (trueup.fleet.findings.CATEGORIES)
FINDING_CATEGORIES = {
    "schema": "schema", "extension": "extension", "enum": "type", "domain": "type", "composite_type": "type",
    "sequence": "sequence", "sequence_owner": "sequence", "table": "table", "column": "column",
    "inherited_column": "column",
    "constraint": "constraint", "index": "index", "view": "view", "materialized_view": "view",
    "function": "function", "trigger": "trigger", "rls": "rls", "policy": "policy", "grant": "grant",
    "comment": "comment",
    "foreign_data_wrapper": "foreign_data", "foreign_server": "foreign_data", "user_mapping": "foreign_data",
    "foreign_table": "foreign_data",
    "event_trigger": "event_trigger", "publication": "publication", "default_privilege": "default_privilege",
    "range": "type", "collation": "collation", "statistics": "statistics", "rule": "rule",
}
#: kinds that can "belong" to a layer (group): top-level, named objects
LAYER_KINDS = frozenset({"table", "view", "materialized_view", "function", "sequence", "enum", "domain",
                         "composite_type"})
LAYER_KINDS |= {"foreign_table"}
LAYER_KINDS = LAYER_KINDS | {"range", "collation"}

__all__ = ["FINDING_CATEGORIES", "GENERATORS", "KIND_ORDER", "LAYER_KINDS"]
