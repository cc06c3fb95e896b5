"""Compare two schema models into an ordered plan.

1. classify every identity: create, drop, alter in place, or replace;
2. cascade: objects that use something being dropped, replaced or incompatibly altered are
   detached first (dropped, or e.g. a column default removed) and restored afterwards;
3. build a graph of DROP and APPLY steps from both models' dependencies and sort it;
4. hold back what waits for a statement that never runs (a type change that needs a USING
   expression the user did not give): every step ordered after it, and the drop of whatever
   such a step would have restored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trueup.engines.interface.generators import Context, DiffOptions
from trueup.engines.interface.renames import RenameResult, merge, model_renames
from trueup.engines.interface.sql import Change, Hazard, Statement
from trueup.model import DbObject, ObjectId, Schema
from trueup.plan.graph import toposort
from trueup.plan.script import Plan

if TYPE_CHECKING:
    from trueup.engines.interface.engine import Engine

DROP, APPLY = "drop", "apply"
Node = tuple[str, ObjectId]


@dataclass
class _State:
    creates: set[ObjectId] = field(default_factory=set)
    drops: set[ObjectId] = field(default_factory=set)
    replaces: set[ObjectId] = field(default_factory=set)
    alters: dict[ObjectId, list[Statement]] = field(default_factory=dict)
    breaking: set[ObjectId] = field(default_factory=set)
    # detached but kept: statements that release it, and the state left behind
    detached: dict[ObjectId, tuple[list[Statement], DbObject]] = field(default_factory=dict)
    # replaced by cascade: the statements that drop it (detach may differ from drop)
    cascade_drop: dict[ObjectId, list[Statement]] = field(default_factory=dict)

    @property
    def gone(self) -> set[ObjectId]:
        """Objects whose old incarnation is dropped."""
        return self.drops | self.replaces


def diff_schemas(old: Schema, new: Schema, engine: Engine, options: DiffOptions | None = None) -> Plan:
    options = options or DiffOptions()
    renames = merge(options.renames, model_renames(new))
    renamed = engine.apply_renames(old, new, renames) if renames else RenameResult(old)
    ctx = Context(renamed.schema, new, options)
    st = _classify(ctx, engine)
    _cascade(ctx, engine, st)
    plan = _order(ctx, engine, st)
    if renamed.changes:  # (they run first: everything after names the objects anew)
        plan.changes[:0] = renamed.changes
        plan.preamble = engine.preamble(plan.changes)
    plan.renamed = list(renamed.applied)
    plan.notes = list(renamed.notes)
    plan.noted = list(renamed.noted)
    plan.possible_renames = possible_renames(ctx.old, ctx.new, st.drops, st.creates)
    return plan


def possible_renames(old: Schema, new: Schema, drops: Iterable[ObjectId], creates: Iterable[ObjectId],
                     ) -> list[tuple[ObjectId, ObjectId]]:
    """(dropped, added) columns of one table with the same type: perhaps a rename nobody declared."""
    added: dict[tuple[tuple[str, ...], object], list[ObjectId]] = {}
    for oid in sorted(creates):
        obj = new.objects[oid]
        if oid.kind == "column" and obj.parent is not None and obj.parent in old:
            added.setdefault((obj.parent.path, obj.attrs.get("type")), []).append(oid)
    out = []
    for oid in sorted(drops):
        obj = old.objects[oid]
        if oid.kind == "column" and obj.parent is not None and obj.parent in new:
            for a in added.get((obj.parent.path, obj.attrs.get("type")), ()):
                out.append((oid, a))
    return out


def _classify(ctx: Context, engine: Engine) -> _State:
    st = _State()
    for oid in sorted(set(ctx.old.objects) | set(ctx.new.objects)):
        o, n = ctx.old.get(oid), ctx.new.get(oid)
        if o is None:
            st.creates.add(oid)
        elif n is None:
            st.drops.add(oid)
        elif not o.same_definition(n):
            gen = engine.generators[oid.kind]
            res = gen.alter(o, n, ctx)
            if res is None:
                st.replaces.add(oid)
                continue
            if res.breaks_dependents:
                st.breaking.add(oid)
            released = gen.release(o, n, ctx)
            if released is not None:  # part of it runs among the drops; the rest is applied later
                st.detached[oid] = released
            else:
                st.alters[oid] = res.statements
    return st


def _cascade(ctx: Context, engine: Engine, st: _State) -> None:
    dependents = ctx.old.dependents()
    children: dict[ObjectId, set[ObjectId]] = {}
    for obj in ctx.old:
        if obj.parent is not None:
            children.setdefault(obj.parent, set()).add(obj.id)
    queue: deque[ObjectId] = deque(sorted(st.gone | st.breaking))
    while queue:
        y = queue.popleft()
        y_gone = y in st.gone
        for x in sorted(dependents.get(y, set()) | children.get(y, set())):
            if x not in ctx.new or x in st.gone or x in st.detached:
                continue
            xo = ctx.old.objects[x]
            if not y_gone and xo.kind not in engine.rebuild_on_break:
                continue
            if xo.parent == y and y_gone:
                st.replaces.add(x)  # dropped along with its parent; created again
                st.alters.pop(x, None)
                queue.append(x)
                continue
            stmts, remaining = engine.generators[x.kind].detach(xo, ctx)
            if remaining is None:
                st.replaces.add(x)
                st.alters.pop(x, None)
                st.cascade_drop[x] = stmts
                queue.append(x)
            else:
                st.detached[x] = (stmts, remaining)
                st.alters.pop(x, None)  # applied as remaining -> new


def _implicit_drop(oid: ObjectId, schema: Schema, gone: set[ObjectId], engine: Engine) -> ObjectId | None:
    """The dropped ancestor whose drop takes ``oid`` with it, if any.

    Ancestors are the parents; a dropped object also goes with what the engine says it is
    dropped with (an owned sequence with its column). An object that stays is never taken.
    """
    obj = schema.get(oid)
    while obj is not None:
        ups = [obj.parent, engine.dropped_with(obj) if obj.id in gone else None]
        hit = next((u for u in ups if u is not None and u in gone), None)
        if hit is not None or obj.parent is None:
            return hit
        obj = schema.get(obj.parent)
    return None


def _inlined(oid: ObjectId, ctx: Context, engine: Engine, applied_new: set[ObjectId]) -> bool:
    """True when the object's creation is part of its (also created) parent's CREATE."""
    obj = ctx.new.objects[oid]
    return (
        obj.parent is not None
        and obj.parent in applied_new
        and oid.kind in engine.inline_children.get(obj.parent.kind, frozenset())
    )


def _break_drop_cycles(schema: Schema, gone: set[ObjectId], implicit: dict[ObjectId, ObjectId]) -> None:
    """Drop explicitly, first, the implicitly dropped children that tie two drops in a circle.

    Two tables whose foreign keys reference each other cannot be dropped one after the other:
    one of the constraints is dropped on its own first. Removes those children from ``implicit``.
    """

    def root(oid: ObjectId) -> ObjectId:
        while oid in implicit:
            oid = implicit[oid]
        return oid

    def uses(oid: ObjectId) -> list[ObjectId]:
        obj = schema.objects[oid]
        return sorted(d for d in (*obj.deps, *([obj.parent] if obj.parent else [])) if d in gone)

    def reaches(graph: dict[ObjectId, set[ObjectId]], start: ObjectId, goal: ObjectId) -> bool:
        todo, seen = [start], {start}
        while todo:
            n = todo.pop()
            if n == goal:
                return True
            todo.extend(m for m in graph.get(n, ()) if m not in seen)
            seen.update(graph.get(n, ()))
        return False

    while True:
        graph: dict[ObjectId, set[ObjectId]] = {}
        for oid in gone:
            for d in uses(oid):
                if root(d) != root(oid):
                    graph.setdefault(root(oid), set()).add(root(d))
        culprit = next((oid for oid in sorted(implicit) for d in uses(oid)
                        if root(d) != root(oid) and reaches(graph, root(d), root(oid))), None)
        if culprit is None:
            return
        del implicit[culprit]


def _order(ctx: Context, engine: Engine, st: _State) -> Plan:
    gens = engine.generators
    gone = st.gone
    created = st.creates | st.replaces  # objects whose new incarnation is created from scratch
    steps: dict[Node, Change] = {}
    implicit: dict[ObjectId, ObjectId] = {}

    for oid in gone:
        anc = _implicit_drop(oid, ctx.old, gone, engine)
        if anc is not None:
            implicit[oid] = anc
    _break_drop_cycles(ctx.old, gone | set(st.detached), implicit)
    for oid in gone | set(st.detached):
        if oid in st.detached:
            steps[(DROP, oid)] = Change(oid, "alter", list(st.detached[oid][0]))
            continue
        action = "replace" if oid in st.replaces else "drop"
        if oid in implicit:
            steps[(DROP, oid)] = Change(oid, action, [])
        else:
            sql = st.cascade_drop.get(oid) or gens[oid.kind].drop(ctx.old.objects[oid], ctx)
            steps[(DROP, oid)] = Change(oid, action, list(sql))

    inline_children: dict[ObjectId, set[ObjectId]] = {}
    for oid in created:
        if _inlined(oid, ctx, engine, created):
            parent = ctx.new.objects[oid].parent
            assert parent is not None
            inline_children.setdefault(parent, set()).add(oid)
            steps[(APPLY, oid)] = Change(oid, "create", [])
        else:
            action = "replace" if oid in st.replaces else "create"
            steps[(APPLY, oid)] = Change(oid, action, list(gens[oid.kind].create(ctx.new.objects[oid], ctx)))
    for oid, stmts in st.alters.items():
        steps[(APPLY, oid)] = Change(oid, "alter", list(stmts))
    for oid, (_, remaining) in st.detached.items():
        res = gens[oid.kind].alter(remaining, ctx.new.objects[oid], ctx)
        extra = res.statements if res is not None else []
        prior = steps.get((APPLY, oid))
        steps[(APPLY, oid)] = Change(oid, "alter", (prior.statements if prior else []) + extra)

    edges = list(_edges(ctx, engine, st, steps, implicit, inline_children))
    _hold_back(steps, edges)
    rank = {k: i for i, k in enumerate(engine.kind_order)}

    def key(node: Node) -> tuple[int, int, ObjectId]:
        phase, oid = node
        r = rank.get(oid.kind, len(rank))
        return (0, -r, oid) if phase == DROP else (1, r, oid)

    order = toposort(steps, edges, key)
    changes = [steps[n] for n in order if steps[n].statements]
    return Plan(changes, old=ctx.old, new=ctx.new, preamble=engine.preamble(changes),
                retyped=dict(ctx.retyped))


def _hold_back(steps: dict[Node, Change], edges: list[tuple[Node, Node]]) -> None:
    """Mark ``needs_using`` (``needs_input``) every statement that waits for one that never runs.

    A step holding such a statement is held back whole; so is every step ordered after a held
    one (it needs what the held one does: a default of the new type, a view over the retyped
    column, the old type's drop once no column uses it), and the DROP step of an object whose
    APPLY step is held (it would be dropped and never restored). What is left runs as a whole:
    every step it holds comes after steps that run too.
    """
    held: dict[Node, tuple[str, Hazard]] = {}
    for node, change in steps.items():
        first = next((s for s in change.statements if s.held), None)
        if first is not None:
            what = "a USING expression" if first.needs_using else "a secret"
            held[node] = (f"waits for the change of {change.id.kind} {change.id.display}, which needs {what}",
                          Hazard.NEEDS_USING if first.needs_using else Hazard.NEEDS_INPUT)
    if not held:
        return
    after: dict[Node, list[Node]] = {}
    for a, b in edges:
        after.setdefault(a, []).append(b)
    todo = list(held)
    while todo:
        node = todo.pop()
        why = held[node]
        nxt = list(after.get(node, ()))
        if node[0] == APPLY and (DROP, node[1]) in steps:
            nxt.append((DROP, node[1]))
        for m in nxt:
            if m not in held:
                held[m] = why
                todo.append(m)
    for node, (note, hazard) in held.items():
        change = steps[node]
        change.statements = [s.held_back(note, hazard) for s in change.statements]


def _edges(ctx: Context, engine: Engine, st: _State, steps: dict[Node, Change],
           implicit: dict[ObjectId, ObjectId], inline_children: dict[ObjectId, set[ObjectId]],
           ) -> Iterable[tuple[Node, Node]]:
    old_dependents = ctx.old.dependents()

    def root(oid: ObjectId) -> ObjectId:
        """An implicitly dropped object leaves when its root ancestor is dropped."""
        while oid in implicit:
            oid = implicit[oid]
        return oid

    for phase, oid in list(steps):
        if phase == APPLY:
            obj = ctx.new.objects[oid]
            needs = set(obj.deps) | ({obj.parent} if obj.parent else set())
            for child in inline_children.get(oid, ()):
                needs |= ctx.new.objects[child].deps
            needs -= inline_children.get(oid, set()) | {oid}
            for d in needs:
                if (APPLY, d) in steps:
                    yield (APPLY, d), (APPLY, oid)
            if (DROP, oid) in steps:
                yield (DROP, oid), (APPLY, oid)
            if oid in implicit:
                yield (DROP, root(oid)), (APPLY, oid)
        else:
            obj = ctx.old.objects[oid]
            here = (DROP, root(oid))
            uses = set(obj.deps) | ({obj.parent} if obj.parent else set())
            for d in uses:
                if (DROP, d) in steps:
                    yield here, (DROP, root(d))
                if (APPLY, d) in steps and d not in st.creates:
                    yield here, (APPLY, d)
            # an object altered so that it stops using this one goes first
            for x in old_dependents.get(oid, ()):
                if (APPLY, x) in steps and (DROP, x) not in steps and oid in st.gone:
                    yield (APPLY, x), here
    # names that two different objects claim: the old one leaves first
    claims: dict[tuple[str, ...], list[Node]] = {}
    for phase, oid in steps:
        schema = ctx.new if phase == APPLY else ctx.old
        nk = engine.namespace_key(schema.objects[oid])
        if nk is not None:
            claims.setdefault(nk, []).append((phase, oid))
    for nodes in claims.values():
        drops = [n for n in nodes if n[0] == DROP]
        applies = [n for n in nodes if n[0] == APPLY]
        for gone_node in drops:
            for new_node in applies:
                if new_node[1] != gone_node[1]:
                    yield gone_node, new_node
