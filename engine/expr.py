"""The expression language, in one module because its tokens, parser and trees change together.

Scenario text is data, never code: it is parsed here into a tree of a handful of
node types and nothing else. No `eval`, `exec`, `compile` or `ast` is involved, so
there is no attribute, subscript, string, lambda or import to smuggle through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from .limits import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, MAX_TREE_DEPTH

#: Every function an expression may call, with how many arguments it takes.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "sigmoid": (1, 1),
    "relu": (1, 1),
    "tanh": (1, 1),
    "exp": (1, 1),
    "log": (1, 1),
    "abs": (1, 1),
    "sum": (1, 2),
    "mean": (1, 2),
    "max": (1, 2),
    "min": (1, 2),
    "softmax": (1, 2),
    "log_softmax": (1, 2),
    "onehot": (2, 2),
    "maximum": (2, 2),
    "minimum": (2, 2),
    "transpose": (1, 1),
}
#: Functions that only conditions (stop rules, breakpoints) may call.
CONDITION_FUNCTIONS: dict[str, tuple[int, int]] = {"grad": (1, 1)}


class ExprError(ValueError):
    """A problem in an expression, with the column (0-based) where it starts."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Num:
    value: int | float  # an int when written as one, so that `epoch - 1` stays whole
    start: int
    end: int


@dataclass(frozen=True)
class Name:
    id: str
    start: int
    end: int


@dataclass(frozen=True)
class Unary:
    op: str  # "-", "+", "not"
    operand: Node
    start: int
    end: int


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / @ ** < <= > >= == != and or
    left: Node
    right: Node
    start: int
    end: int


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Transpose:
    operand: Node
    start: int
    end: int


Node = Num | Name | Unary | Binary | Call | Transpose

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|<=|>=|==|!=|[-+*/@(),<>.=])
  | (?P<other>.)
    """,
    re.VERBOSE | re.ASCII | re.DOTALL,  # ASCII only: a look-alike digit or space is an error, not a number
)

_BINARY_POWER = {
    "or": 1,
    "and": 2,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "==": 4,
    "!=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "@": 6,
    "**": 8,
}
_COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}
_KEYWORDS = {"and", "or", "not"}
_FORBIDDEN_WORDS = {
    "lambda": "lambdas are not allowed",
    "import": "imports are not allowed",
    "for": "comprehensions and loops are not allowed",
    "if": "conditional expressions are not allowed",
    "in": "membership tests are not allowed",
    "is": "identity tests are not allowed",
    "await": "not an expression keyword",
    "yield": "not an expression keyword",
}


class _Token(NamedTuple):
    """A tuple, not a dataclass: a 1 MB scenario makes hundreds of thousands of them."""

    kind: str  # "number", "name", "op", "end"
    text: str
    start: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):  # every character falls in some group: none is skipped
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind == "other":
            raise _unexpected(text, match.start())
        tokens.append(_Token(kind or "", match.group(), match.start()))
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _unexpected(text: str, pos: int) -> ExprError:
    char = text[pos]
    if char in "'\"":
        return ExprError("strings are not allowed in expressions", pos)
    if char == "[":
        return ExprError("subscripts and list literals are not allowed", pos)
    if char in "{}":
        return ExprError("braces (sets, dicts) are not allowed", pos)
    if char == ":":
        return ExprError("':' is not allowed in expressions (no slices, walrus or lambdas)", pos)
    if not char.isascii() or not char.isprintable():
        return ExprError(
            f"unexpected character {char!r} (U+{ord(char):04X}); expressions are written in ASCII letters, "
            "digits and operators",
            pos,
        )
    return ExprError(f"unexpected character {char!r}", pos)


class _Parser:
    def __init__(
        self, text: str, functions: dict[str, tuple[int, int]], conditions: bool, comparisons: bool = False
    ) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.token = self.tokens[0]  # the next token, kept at hand: the parser reads it constantly
        self.functions = functions
        self.conditions = conditions  # and, or, not, grad()
        self.comparisons = conditions or comparisons
        self.depth = 0

    def advance(self) -> _Token:
        token = self.token
        self.index += 1
        if self.index < len(self.tokens):  # past the end, the end token stays
            self.token = self.tokens[self.index]
        return token

    def expect(self, text: str) -> _Token:
        if self.token.text != text:
            found = self.token.text or "end of expression"
            raise ExprError(f"expected {text!r} but found {found!r}", self.token.start)
        return self.advance()

    def parse(self) -> Node:
        node = self.expression(0)
        if self.token.kind != "end":
            raise ExprError(f"unexpected {self.token.text!r}", self.token.start)
        if len(self.tokens) > MAX_TREE_DEPTH:  # each node takes a token: fewer tokens, no deeper tree
            _check_tree_depth(node)
        return node

    def expression(self, min_power: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression nested deeper than {MAX_DEPTH} levels", self.token.start)
        left = self.prefix()
        compared = False  # `left` is a comparison made in this loop, not one inside parentheses
        while True:
            op = self.token.text if self.token.kind in ("op", "name") else ""
            power = _BINARY_POWER.get(op)
            if power is None or power <= min_power:
                if op == "=":
                    raise ExprError("'=' is not an operator here (use '==' to compare)", self.token.start)
                break
            if op in _KEYWORDS and not self.conditions:
                raise ExprError(f"{op!r} is only allowed in conditions", self.token.start)
            if op in _COMPARISONS and not self.comparisons:
                raise ExprError(
                    f"{op!r} has no derivative, so it may compare in [metrics], [[log]] fields, conditions and "
                    "[derivation], not in the model, the loss or the learning rate",
                    self.token.start,
                )
            self.advance()
            # ** is right-associative: parse its right side at one power less.
            right = self.expression(power - 1 if op == "**" else power)
            if op in _COMPARISONS and compared:
                raise ExprError("chained comparisons are not allowed; join them with 'and'", left.end)
            if op == "**":
                right = _checked_exponent(right)
            left = Binary(op, left, right, left.start, right.end)
            compared = op in _COMPARISONS
        self.depth -= 1
        return left

    def prefix(self) -> Node:
        token = self.advance()
        if token.kind == "number":
            return self.postfix(Num(_number(token), token.start, token.start + len(token.text)))
        if token.text in ("-", "+"):
            operand = self.expression(7)  # binds looser than ** : -x**2 == -(x**2)
            return Unary(token.text, operand, token.start, operand.end)
        if token.text == "not":
            if not self.conditions:
                raise ExprError("'not' is only allowed in conditions", token.start)
            operand = self.expression(3)
            return Unary("not", operand, token.start, operand.end)
        if token.text == "(":
            inner = self.expression(0)
            close = self.expect(")")
            return self.postfix(_with_span(inner, token.start, close.start + 1))
        if token.kind == "name":
            return self.postfix(self.name_or_call(token))
        if token.kind == "end":
            raise ExprError("expression is incomplete", token.start)
        raise ExprError(f"unexpected {token.text!r}", token.start)

    def name_or_call(self, token: _Token) -> Node:
        word = token.text
        if word in _FORBIDDEN_WORDS:
            raise ExprError(f"{word!r}: {_FORBIDDEN_WORDS[word]}", token.start)
        if word in _KEYWORDS:
            raise ExprError(f"unexpected {word!r}", token.start)
        if word.startswith("__"):
            raise ExprError(f"names starting with '__' are not allowed ({word!r})", token.start)
        if self.token.text != "(":
            return Name(word, token.start, token.start + len(word))
        if word not in self.functions:
            known = ", ".join(sorted(self.functions))
            raise ExprError(f"unknown function {word!r} (known: {known})", token.start)
        self.advance()
        args: list[Node] = []
        while self.token.text != ")":
            args.append(self.expression(0))
            if self.token.text == "=":
                raise ExprError(
                    "keyword arguments are not supported; pass the axis by position: sum(X, 0)", self.token.start
                )
            if self.token.text != ",":
                break
            self.advance()
        close = self.expect(")")
        low, high = self.functions[word]
        if not low <= len(args) <= high:
            wanted = str(low) if low == high else f"{low} or {high}"
            raise ExprError(f"{word}() takes {wanted} argument(s), got {len(args)}", token.start)
        return Call(word, tuple(args), token.start, close.start + 1)

    def postfix(self, node: Node) -> Node:
        while self.token.text in (".", "("):
            token = self.advance()
            if token.text == "(":
                raise ExprError("only named functions can be called", token.start)
            attribute = self.advance()
            if attribute.text != "T":
                shown = attribute.text or "end of expression"
                raise ExprError(f"attribute access is not allowed ('.{shown}'); only '.T' (transpose) is", token.start)
            node = Transpose(node, node.start, attribute.start + 1)
        return node


def _number(token: _Token) -> int | float:
    """A literal's value: whole numbers stay ints (so `epoch - 1` prints as 0); too large is an error."""
    text = token.text
    if text.isdigit() and len(text) <= 15:
        return int(text)
    value = float(text)  # never fails: the tokenizer only lets decimal numbers through
    if value == float("inf"):
        shown = text if len(text) <= 20 else f"{text[:12]}…({len(text)} characters)"
        raise ExprError(f"number {shown} is too large (at most about 1.8e308)", token.start)
    return value


def children(node: Node) -> tuple[Node, ...]:
    """A node's operands, left to right."""
    if isinstance(node, (Unary, Transpose)):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def _check_tree_depth(root: Node) -> None:
    """Refuse trees deep enough to exhaust Python's recursion in the compiler or evaluator.

    Walked with an explicit stack, so the check itself cannot overflow.
    """
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise ExprError(
                f"expression has more than {MAX_TREE_DEPTH} operations inside one another; split it into named nodes",
                node.start,
            )
        stack.extend((child, depth + 1) for child in children(node))


def _with_span(node: Node, start: int, end: int) -> Node:
    """Widen a parenthesised node's span so labels keep their parentheses."""
    return type(node)(**{**node.__dict__, "start": start, "end": end})


def _checked_exponent(node: Node) -> Node:
    value = constant_value(node)
    if value is None:
        raise ExprError("the exponent of ** must be a number", node.start)
    if abs(value) > MAX_EXPONENT:
        raise ExprError(f"exponent {value:g} is too large (at most {MAX_EXPONENT})", node.start)
    return node


def constant_value(node: Node) -> float | None:
    """The value of a literal number, signed or parenthesised; None for anything else."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Unary) and node.op in "+-":
        inner = constant_value(node.operand)
        if inner is not None:
            return -inner if node.op == "-" else inner
    return None


def _check_length(text: str) -> None:
    if not isinstance(text, str):
        raise ExprError(f"an expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression is {len(text)} characters long (at most {MAX_LENGTH})")
    if not text.strip():
        raise ExprError("expression is empty")


def parse_expression(text: str) -> Node:
    """Parse a model, loss or metric expression."""
    _check_length(text)
    return _Parser(text, FUNCTIONS, conditions=False).parse()


def parse_log_field(text: str) -> Node:
    """Parse a [[log]] field: an expression that may also print a gradient, grad(w), and compare
    (never differentiated), e.g. an accuracy."""
    _check_length(text)
    return _Parser(text, FUNCTIONS | CONDITION_FUNCTIONS, conditions=False, comparisons=True).parse()


def parse_metric(text: str) -> Node:
    """Parse a metric: an expression that may also compare (1 where true, 0 where false), e.g. an accuracy."""
    _check_length(text)
    return _Parser(text, FUNCTIONS, conditions=False, comparisons=True).parse()


def parse_condition(text: str) -> Node:
    """Parse a stop rule or breakpoint: comparisons, and/or/not, and grad(name)."""
    _check_length(text)
    tree = _Parser(text, FUNCTIONS | CONDITION_FUNCTIONS, conditions=True).parse()
    _check_is_condition(tree)
    return tree


def _check_is_condition(node: Node) -> None:
    """Refuse a condition that is a number, not true or false: `loss` alone would stop on any nonzero loss."""
    if isinstance(node, Binary) and node.op in _COMPARISONS:
        return
    if isinstance(node, Binary) and node.op in ("and", "or"):
        _check_is_condition(node.left)
        _check_is_condition(node.right)
        return
    if isinstance(node, Unary) and node.op == "not":
        _check_is_condition(node.operand)
        return
    raise ExprError("not a condition: compare it with < <= > >= == or != (e.g. loss < 0.01)", node.start)


def walk(root: Node) -> list[Node]:
    """Every node of the tree, parents before children, left to right (an explicit stack, no recursion)."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(children(node)))
    return found


def names_in(node: Node) -> list[Name]:
    """Every name the expression reads, in order of appearance."""
    return [n for n in walk(node) if isinstance(n, Name)]
