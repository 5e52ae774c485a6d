"""The scenario's tables and keys: misspelt, missing, of the wrong type, or set in another TOML form.

A key is reported at its own line, wherever TOML allows it to be written (a dotted key,
an inline table, after a multi-line string); a missing table at 1:1.
"""

from __future__ import annotations

from .one_line_errors import BASE, Case, edit, one_line_at_the_exact_place

CASES: list[Case] = [
    ("only-comments", "# nothing here\n\n", "1:1: title: missing: the scenario needs a title"),
    (
        "unknown-top-key",
        edit('title = "errors"\n', 'title = "errors"\ntitel = "again"\n'),
        "2:1: titel: unknown key 'titel'; did you mean 'title'?",
    ),
    (
        "key-with-a-line-break",
        edit("y = 1.0", 'y = 1.0\n"a\\nb" = 2.0'),
        "6:1: data.a\\nb: 'a\\nb' is not a usable name (letters, digits and _, not starting with a digit or __)",
    ),
    (
        "unknown-table",
        edit("[training]", "[trainig]"),
        "17:1: trainig: unknown key 'trainig'; did you mean 'training'?",
    ),
    ("missing-training", BASE.split("[training]")[0], "1:1: training: missing: the scenario needs a [training] table"),
    (
        "missing-loss",
        edit('[loss]\nL = "0.5 * (z - y) ** 2"\n', ""),
        "1:1: loss: missing: the scenario needs a [loss] table",
    ),
    ("wrong-type-title", edit('title = "errors"', "title = 3"), "1:1: title: must be a string, not an integer"),
    (
        "empty-title",
        edit('title = "errors"', 'title = "  "'),
        '1:1: title: is empty: the scenario needs a title, e.g. title = "Two neurons"',
    ),
    (
        "a-setting-written-under-params",
        edit("b = 0.1\n", "b = 0.1\nseed = 1\n"),
        "10:1: params.seed: no expression of [model], [loss] or [metrics] reads seed, so nothing trains it "
        "(the setting seed = … goes above the first [section])",
    ),
    (
        "an-unknown-name-is-named-before-the-parameter-it-left-unread",
        edit('z = "w * x + b"', 'z = "ww * x + b"'),
        "12:6: model.z: unknown name 'ww'; did you mean 'w'?",
    ),
    (
        "a-parameter-nothing-reads",
        edit("b = 0.1\n", "b = 0.1\nv = 0.2\n"),
        "10:1: params.v: no expression of [model], [loss] or [metrics] reads v, so nothing trains it",
    ),
    (
        "dotted-key-section",
        edit(
            '[loss]\nL = "0.5 * (z - y) ** 2"\n', "", edit('title = "errors"\n', 'title = "errors"\nloss.L = "z + q"\n')
        ),
        "2:15: loss.L: unknown name 'q'",
    ),
    (
        "inline-table-section",
        edit(
            '[loss]\nL = "0.5 * (z - y) ** 2"\n',
            "",
            edit('title = "errors"\n', 'title = "errors"\nloss = { L = "z + q" }\n'),
        ),
        "2:19: loss.L: unknown name 'q'",
    ),
    (
        "literal-quotes-inside-a-multiline-string",
        edit(
            'z = "w * x + b"',
            'z = "w * xx + b"',
            edit('title = "errors"\n', 'title = "errors"\ndescription = """it\'s \'\'\'\nquoted"""\n'),
        ),
        "14:10: model.z: unknown name 'xx'; did you mean 'x'?",
    ),
    (
        "expected-as-a-string",
        edit('title = "errors"\n', 'title = "errors"\nexpected = "x"\n'),
        "2:1: expected: must be a table, not a string",
    ),
]

test_each_problem_is_one_line_at_the_exact_place = one_line_at_the_exact_place(CASES)
