"""Parser: precedence climbing over the tokens, producing the tree in `nodes`.

Precedence, loosest to tightest (REDCap Help & FAQ, "Branching Logic", uses and/or, =, <>, <, >;
"Calculated Fields" uses + - * / ^ and the special functions):

    or ||  <  and &&  <  not !  <  = == <> != < <= > >= in "not in" (chainable)
           <  + -  <  * / %  <  unary - +  <  ^ ** (right-associative)

Limits keep hostile input cheap and the evaluator's recursion shallow: 2000 characters, 64
levels of nesting, 500 nodes. Unknown functions and wrong argument counts are refused here, so
every parsed tree can run. Every error names a column.
"""

from opencro.core.logic.errors import ExpressionError
from opencro.core.logic.functions import FUNCTIONS
from opencro.core.logic.lexer import Token, tokenize
from opencro.core.logic.nodes import Binary, Call, Compare, ListLit, Literal, Node, Unary, Var

MAX_DEPTH = 64
MAX_NODES = 500

_BINARY_POWER = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6, "^": 8}
_COMPARE_POWER = 4
_NOT_POWER = 3
_UNARY_POWER = 7
_COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">=", "in"})


def parse(source: str) -> Node:
    """Parse `source` into a tree; raise ExpressionError naming the column of the first problem."""
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be text, not {type(source).__name__}")
    return _Parser(tokenize(source)).parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = -1  # the whole expression is level 0; each nesting adds one
        self.nodes = 0

    # -- token helpers -----------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "EOF":
            self.pos += 1
        return token

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise self.unexpected(token, f"expected {what}")
        return self.advance()

    @staticmethod
    def unexpected(token: Token, hint: str = "") -> ExpressionError:
        found = "end of expression" if token.kind == "EOF" else repr(token.text)
        message = f"unexpected {found}" + (f" ({hint})" if hint else "")
        return ExpressionError(message, token.col)

    def count(self, node: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"expression too complex (more than {MAX_NODES} parts)", node.col)
        return node

    # -- grammar -----------------------------------------------------------------------------

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise ExpressionError("empty expression", 1)
        tree = self.expression(0)
        token = self.peek()
        if token.kind != "EOF":
            raise self.unexpected(token, "expected an operator or the end")
        return tree

    def comparison_op(self) -> tuple[str, int] | None:
        """The comparison at the cursor and how many tokens it spans, if any."""
        token = self.peek()
        if token.kind != "OP":
            return None
        if token.value in _COMPARISONS:
            return str(token.value), 1
        if token.value == "not" and self.peek(1).kind == "OP" and self.peek(1).value == "in":
            return "not in", 2
        return None

    def expression(self, min_power: int) -> Node:
        token = self.peek()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested too deeply (more than {MAX_DEPTH} levels)", token.col)
        left = self.prefix(min_power)
        while True:
            token = self.peek()
            comparison = self.comparison_op()
            if comparison is not None:
                if min_power > _COMPARE_POWER:
                    break
                left = self.comparison_chain(left)
                continue
            if token.kind != "OP" or token.value not in _BINARY_POWER:
                break
            op = str(token.value)
            power = _BINARY_POWER[op]
            if power < min_power:
                break
            self.advance()
            right = self.expression(power if op == "^" else power + 1)
            left = self.count(Binary(op, left, right, col=token.col))
        self.depth -= 1
        return left

    def comparison_chain(self, left: Node) -> Node:
        col = self.peek().col
        ops: list[str] = []
        operands: list[Node] = []
        while (comparison := self.comparison_op()) is not None:
            op, width = comparison
            for _ in range(width):
                self.advance()
            ops.append(op)
            operands.append(self.expression(_COMPARE_POWER + 1))
        return self.count(Compare(left, tuple(ops), tuple(operands), col=col))

    def prefix(self, min_power: int) -> Node:
        token = self.advance()
        kind = token.kind
        if kind == "NUM" or kind == "STR" or kind == "BOOL":
            return self.count(Literal(token.value, col=token.col))  # type: ignore[arg-type]
        if kind == "VAR":
            return self.variable(token)
        if kind == "IDENT":
            if self.peek().kind == "LPAREN":
                return self.call(token)
            return self.count(Var(None, str(token.value), None, col=token.col))
        if kind == "LPAREN":
            return self.parenthesised(token)
        if kind == "LBRACK":
            items = self.items("RBRACK", "]")
            return self.count(ListLit(items, col=token.col))
        if kind == "OP" and token.value in ("-", "+"):
            operand = self.expression(_UNARY_POWER)
            return self.count(Unary(str(token.value), operand, col=token.col))
        if kind == "OP" and token.value == "not":
            if min_power > _NOT_POWER:
                raise ExpressionError(f"put {token.text!r} and its operand in parentheses here", token.col)
            operand = self.expression(_NOT_POWER)
            return self.count(Unary("not", operand, col=token.col))
        raise self.unexpected(token, "expected a value")

    def variable(self, token: Token) -> Node:
        name = str(token.value)
        following = self.peek()
        if following.kind == "VAR" and following.col - 1 == token.end:
            if token.code is not None:
                raise ExpressionError("an event name cannot have a choice code", token.col)
            self.advance()
            return self.count(Var(name, str(following.value), following.code, col=token.col))
        return self.count(Var(None, name, token.code, col=token.col))

    def call(self, token: Token) -> Node:
        name = str(token.value).lower()
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise ExpressionError(f"unknown function '{token.value}'", token.col)
        self.advance()  # "("
        args = self.items("RPAREN", ")")
        problem = spec.arity_error(len(args))
        if problem:
            raise ExpressionError(problem, token.col)
        return self.count(Call(name, args, col=token.col))

    def parenthesised(self, token: Token) -> Node:
        if self.peek().kind == "RPAREN":
            raise self.unexpected(self.peek(), "empty parentheses")
        first = self.expression(0)
        if self.peek().kind == "COMMA":
            self.advance()
            rest = self.items("RPAREN", ")")
            return self.count(ListLit((first, *rest), col=token.col))
        self.expect("RPAREN", "')'")
        return first

    def items(self, closing: str, symbol: str) -> tuple[Node, ...]:
        """Comma-separated expressions up to the closing token (which is consumed)."""
        items: list[Node] = []
        if self.peek().kind == closing:
            self.advance()
            return ()
        while True:
            items.append(self.expression(0))
            token = self.advance()
            if token.kind == closing:
                return tuple(items)
            if token.kind != "COMMA":
                raise self.unexpected(token, f"expected ',' or '{symbol}'")
