"""A document's shape once its fragments are spread: fields, aliases, depth.

Fragments that each spread the next one twice make a document of a few
hundred tokens expand into millions of fields. Walking it spread by spread
(as graphql-core's and Strawberry's rules do) takes time exponential in the
number of fragments; here each fragment's shape is computed once and reused
wherever it is spread, so the walk is linear in the document, and the
expanded size can be refused before any validation rule sees it.

Depth follows Strawberry's QueryDepthLimiter: the number of fields with a
selection set on the longest path, introspection fields (`__schema`...) not
counted. Aliases are counted once per place they appear after spreading, as
Strawberry's MaxAliasesLimiter does. A fragment spread inside itself counts
nothing (the NoFragmentCycles rule reports the cycle).
"""

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True, slots=True)
class Shape:
    fields: int = 0
    aliases: int = 0
    depth: int = 0

    def __add__(self, other: "Shape") -> "Shape":
        return Shape(self.fields + other.fields, self.aliases + other.aliases, max(self.depth, other.depth))


EMPTY = Shape()


class DocumentShapes:
    """Shapes of a document's operations; `nodes_walked` counts the work done."""

    def __init__(self, document: DocumentNode):
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        self._memo: dict[str, Shape] = {}
        self._operations: dict[int, Shape] = {}
        self._in_progress: set[str] = set()
        self.nodes_walked = 0

    def of_operation(self, operation: OperationDefinitionNode) -> Shape:
        if id(operation) not in self._operations:
            self._operations[id(operation)] = self._of(operation.selection_set)
        return self._operations[id(operation)]

    def largest(self) -> Shape:
        """The largest figure of each kind over the document's operations."""
        shapes = [self.of_operation(o) for o in self.operations]
        return Shape(
            max((s.fields for s in shapes), default=0),
            max((s.aliases for s in shapes), default=0),
            max((s.depth for s in shapes), default=0),
        )

    def fragment(self, name: str) -> Shape:
        if name in self._memo:
            return self._memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self._in_progress:  # unknown or a cycle: other rules report it
            return EMPTY
        self._in_progress.add(name)
        shape = self._of(definition.selection_set)
        self._in_progress.discard(name)
        self._memo[name] = shape
        return shape

    def _of(self, selections: SelectionSetNode | None) -> Shape:
        total = EMPTY
        for selection in selections.selections if selections else ():
            self.nodes_walked += 1
            if isinstance(selection, FieldNode):
                below = self._of(selection.selection_set)
                introspection = selection.name.value.startswith("__")
                depth = 0 if introspection or not selection.selection_set else 1 + below.depth
                total += Shape(1 + below.fields, (1 if selection.alias else 0) + below.aliases, depth)
            elif isinstance(selection, InlineFragmentNode):
                total += self._of(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total
