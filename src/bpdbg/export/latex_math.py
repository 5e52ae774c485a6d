"""The engine's notation typeset as LaTeX mathematics, and plain text escaped for LaTeX.

The engine writes its formulas in Unicode (∂L/∂w1 = ∂L/∂z1 · x, W2ᵀ, β₁ᵗ, √v̂) and its
expressions as the scenario wrote them (y_hat ** 2). This turns each character into its
LaTeX: ∂ → \\partial, · and * → \\cdot, ** → a superscript, a name of several letters
→ \\mathit{y\\_hat}, a function → \\operatorname{sigmoid}, 1e-08 → 10^{-8}. Nothing is
reworded: the mathematics is the engine's, only set in type.
"""

from __future__ import annotations

import re
import unicodedata

TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+−]?\d+)?)"
    r"|(?P<name>[^\W\d][\w\u0300-\u036f]*)"
    r"|(?P<power>\*\*|\^)"
    r"|(?P<char>.)",
    re.DOTALL,
)
GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "η": r"\eta",
    "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau",
    "φ": r"\varphi", "ω": r"\omega", "Σ": r"\Sigma", "Δ": r"\Delta",
}  # fmt: skip
SYMBOLS = {
    "∂": r"\partial ", "·": r"\cdot ", "*": r"\cdot ", "−": "-", "×": r"\times ", "⊙": r"\odot ",
    "←": r"\leftarrow ", "→": r"\to ", "…": r"\ldots ", "⋮": r"\vdots ", "∞": r"\infty ", "≤": r"\le ",
    "≥": r"\ge ", "≠": r"\ne ", "@": r"\mathbin{@}", "{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%",
    "&": r"\&", "$": r"\$", "_": r"\_", "~": r"\sim ", "\\": r"\backslash ", "√": r"\sqrt",
}  # fmt: skip
SUPERSCRIPTS = {"ᵀ": r"\top", "²": "2", "³": "3", "ᵗ": "t", "¹": "1", "ⁿ": "n"}
SUBSCRIPTS = {chr(0x2080 + d): str(d) for d in range(10)}
FUNCTIONS = {name: "\\" + name for name in ("log", "exp", "tanh", "sin", "cos", "max", "min")}
OPERATORS = set("+-−*·/=<>←@,;:|") | {"**", "^", "+="}
TEXT_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip


def _number(text: str) -> str:
    """1e-08 → 10^{-8}, 2.5e+03 → 2.5\\times 10^{3}; a plain number as it is."""
    mantissa, _, exponent = text.replace("E", "e").partition("e")
    if not exponent:
        return text
    sign = "-" if exponent[0] in "-−" else ""
    digits = exponent.lstrip("+-−").lstrip("0") or "0"
    power = f"10^{{{sign}{digits}}}"
    return power if mantissa in ("1", "1.") else rf"{mantissa}\times {power}"


def _letters(run: str, function: bool) -> str:
    """A run of letters, digits and underscores: one letter plainly, several as one name."""
    if len(run) == 1:
        return GREEK.get(run, run if run.isascii() else rf"\text{{{run}}}")
    if function and run in FUNCTIONS:
        return FUNCTIONS[run]
    if function:
        return rf"\operatorname{{{_escape_name(run)}}}"
    return rf"\mathit{{{_escape_name(run)}}}"


def _escape_name(run: str) -> str:
    return "".join(GREEK.get(c, c) if not c.isascii() else ("\\_" if c == "_" else c) for c in run)


def name(token: str, function: bool = False) -> str:
    """A name with its Unicode sub- and superscripts and hats: β₁ᵗ → \\beta_{1}^{t}, v̂ → \\hat{v}."""
    out, run = "", ""
    for char in unicodedata.normalize("NFD", token):
        if char == "\u0302" and out + run:  # a combining circumflex: a hat on the letter before it
            if run:
                out, run = out + _letters(run[:-1], False) if run[:-1] else out, run[-1]
                out += rf"\hat{{{_letters(run, False)}}}"
                run = ""
            continue
        if char in SUBSCRIPTS or char in SUPERSCRIPTS:
            out += _letters(run, function) if run else ""
            run = ""
            mark, script = ("_", SUBSCRIPTS[char]) if char in SUBSCRIPTS else ("^", SUPERSCRIPTS[char])
            if out.endswith("}") and out[: out.rfind("{")].endswith(mark):  # u₁₀: one subscript, u_{10}
                out = out[:-1] + script + "}"
            else:
                out += f"{mark}{{{script}}}"
            continue
        if unicodedata.combining(char):
            continue
        run += char
    return out + (_letters(run, function) if run else "")


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "char", m.group()) for m in TOKEN.finditer(text)]


def _group_end(tokens: list[tuple[str, str]], start: int) -> int:
    """Where the operand starting at `start` ends: a bracketed group, or one number or name (with a sign)."""
    i = start
    while i < len(tokens) and tokens[i][0] == "space":
        i += 1
    if i < len(tokens) and tokens[i][1] in "-−":
        i += 1
    if i >= len(tokens):
        return i
    if tokens[i][1] in "([":
        depth = 0
        for j in range(i, len(tokens)):
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(tokens[j][1], 0)
            if depth == 0:
                return j + 1
        return len(tokens)
    return i + 1


def _negative_number_follows(tokens: list[tuple[str, str]], i: int) -> bool:
    """After the space at `i`, a minus sign written against a number: a negative entry, not a subtraction."""
    return i + 2 < len(tokens) and tokens[i + 1][1] in "-−" and tokens[i + 2][0] == "number"


def _convert(tokens: list[tuple[str, str]]) -> str:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "space":
            before, after = tokens[i - 1][1] if i else "", tokens[i + 1][1] if i + 1 < len(tokens) else ""
            if len(text) >= 2 and before and after:
                out.append(r"\quad ")
            elif _negative_number_follows(tokens, i) and before not in OPERATORS:
                out.append(rf"\ {{-{_number(tokens[i + 2][1])}}}")  # a list of numbers, 0.1 −0.2: a sign, no minus
                i += 3
                continue
            elif before and after and before not in OPERATORS and after not in OPERATORS and before not in "([":
                out.append(r"\ ")
        elif kind == "power" or text == "√":
            end = _group_end(tokens, i + 1)
            operand = _convert(tokens[i + 1 : end]).strip()
            out.append(f"^{{{operand}}}" if kind == "power" else rf"\sqrt{{{operand}}}")
            i = end
            continue
        elif kind == "number":
            out.append(_number(text))
        elif kind == "name":
            out.append(name(text, function=i + 1 < len(tokens) and tokens[i + 1][1] == "("))
        elif text in SUBSCRIPTS or text in SUPERSCRIPTS:
            out.append(name(text))
        else:
            out.append(SYMBOLS.get(text, text if text.isascii() else rf"\text{{{text}}}"))
        i += 1
    return "".join(out)


def math(text: str) -> str:
    """The engine's notation as LaTeX mathematics (without the $…$ around it)."""
    return _convert(_tokens(text)).strip()


# Greek letters LaTeX names; a capital it lacks is the Latin letter it looks like (Alpha is A).
LATEX_GREEK = set(
    "alpha beta gamma delta zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon chi psi omega".split()
)
LATEX_CAPITALS = set("Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
LATIN_CAPITALS = dict(
    zip("Alpha Beta Epsilon Zeta Eta Iota Kappa Mu Nu Omicron Rho Tau Chi".split(), "ABEZHIKMNOPTX", strict=True)
)
TEXT_SYMBOLS = {"✓": r"$\checkmark$", "✗": r"$\times$", "ο": "o", "ε": r"$\varepsilon$", "φ": r"$\varphi$"}
# What pdflatex sets from UTF-8 with T1 fonts: Latin-1, Latin Extended-A and common punctuation.
SETTABLE = set(map(chr, range(0xA0, 0x180))) | set("–—‘’‚“”„†‡•‰‹›€")


def _text_char(char: str) -> str:
    """One non-ASCII character in text mode: as itself, as LaTeX's own symbol, or, where
    pdflatex has no glyph for it (CJK, emoji), named by its code point, so the document compiles."""
    if char in SETTABLE:
        return char
    base = unicodedata.normalize("NFD", char)[0]  # έ → ε: an accented Greek letter without its accent
    if base in TEXT_SYMBOLS:
        return TEXT_SYMBOLS[base]
    words = unicodedata.name(base, "").split()
    if words[:1] == ["GREEK"] and words[2:3] == ["LETTER"] and len(words) == 4:
        letter = words[3].lower() if words[1] == "SMALL" else words[3].capitalize()
        if letter in LATEX_GREEK or letter in LATEX_CAPITALS:
            return f"$\\{letter}$"
        if letter in LATIN_CAPITALS:
            return LATIN_CAPITALS[letter]
    return f"[U+{ord(char):04X}]"


def text(plain: str) -> str:
    """Plain words for LaTeX's text mode: its special characters escaped, symbols set as mathematics."""
    out: list[str] = []
    symbols = ""  # a run of symbols, set as one piece of mathematics: "β₁" → $\beta_{1}$
    for char in plain:
        if not char.isascii() and (char in GREEK or char in SYMBOLS or char in SUPERSCRIPTS or char in SUBSCRIPTS):
            symbols += char
            continue
        if symbols:
            out.append(f"${math(symbols)}$")
            symbols = ""
        if char.isascii():
            control = (char < " " and char not in "\n\t") or char == "\x7f"  # pdflatex refuses them
            out.append(f"[U+{ord(char):04X}]" if control else TEXT_SPECIAL.get(char, char))
        else:
            out.append(_text_char(char))
    if symbols:
        out.append(f"${math(symbols)}$")
    return "".join(out)
