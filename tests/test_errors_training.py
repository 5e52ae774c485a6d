"""[training]: the learning rate, optimizer, epochs and stop_when, misspelt or out of range, at their key.

A setting out of range names its range and the value it got; a stop_when condition is
reported at the character inside it, as any expression is.
"""

from __future__ import annotations

from .one_line_errors import Case, edit, one_line_at_the_exact_place

CASES: list[Case] = [
    (
        "unknown-training-key",
        edit("epochs = 3", "epochs = 3\nlearnig_rate = 0.2"),
        "20:1: training.learnig_rate: unknown key 'learnig_rate'; did you mean 'learning_rate'?",
    ),
    ("missing-learning-rate", edit("learning_rate = 0.1\n", ""), "17:1: training: missing learning_rate"),
    (
        "wrong-type-rate",
        edit("learning_rate = 0.1", "learning_rate = true"),
        "18:1: training.learning_rate: must be an integer, a number or a string, not a boolean",
    ),
    (
        "rate-names-more-than-epoch",
        edit("learning_rate = 0.1", 'learning_rate = "0.1 / w"'),
        "18:24: training.learning_rate: a learning rate may name only epoch, not 'w'",
    ),
    (
        "rate-misspells-epoch",
        edit("learning_rate = 0.1", 'learning_rate = "1.0 - 0.9 * epok / 100"'),
        "18:30: training.learning_rate: a learning rate may name only epoch, not 'epok'; did you mean 'epoch'?",
    ),
    (
        "unknown-optimizer",
        edit("learning_rate = 0.1", 'learning_rate = 0.1\noptimizer = "rmsprop"'),
        '19:1: training.optimizer: optimizer must be "sgd", "momentum" or "adam" (got \'rmsprop\')',
    ),
    (
        "setting-of-another-optimizer",
        edit("learning_rate = 0.1", 'learning_rate = 0.1\noptimizer = "momentum"\nbeta1 = 0.8'),
        '20:1: training.beta1: beta1 is a setting of optimizer = "adam"; remove it, or set optimizer = "adam"',
    ),
    (
        "momentum-left-over-after-adam",
        edit("learning_rate = 0.1", 'learning_rate = 0.1\noptimizer = "adam"\nmomentum = 0.9'),
        '20:1: training.momentum: momentum is a setting of optimizer = "momentum"; '
        'remove it, or set optimizer = "momentum"',
    ),
    (
        "epsilon-without-an-optimizer",  # sgd, the default
        edit("learning_rate = 0.1", "learning_rate = 0.1\nepsilon = 1e-8"),
        '19:1: training.epsilon: epsilon is a setting of optimizer = "adam"; remove it, or set optimizer = "adam"',
    ),
    (
        "momentum-out-of-range",
        edit("learning_rate = 0.1", 'learning_rate = 0.1\noptimizer = "momentum"\nmomentum = 1.5'),
        "20:1: training.momentum: momentum must be from 0 to below 1 (got 1.5)",
    ),
    (
        "wrong-type-epochs",
        edit("epochs = 3", "epochs = 3.5"),
        "19:1: training.epochs: must be an integer, not a number",
    ),
    (
        "stop-unknown-name",
        edit("epochs = 3", 'epochs = 3\nstop_when = "los < 0.1"'),
        "20:14: training.stop_when: unknown name 'los' in the condition; did you mean 'loss'?",
    ),
    (
        "stop-name-in-the-wrong-case",
        edit("epochs = 3", 'epochs = 3\nstop_when = "Z < 0.1"'),
        "20:14: training.stop_when: unknown name 'Z' in the condition; did you mean 'z'?",
    ),
    (
        "stop-name-like-none",
        edit("epochs = 3", 'epochs = 3\nstop_when = "qqq < 0.1"'),
        "20:14: training.stop_when: unknown name 'qqq' in the condition (known: L, b, epoch, loss, w, x, y, z)",
    ),
    (
        "stop-shapes",
        edit("epochs = 3", 'epochs = 3\nstop_when = "sum(w, 1) < 0.1"'),
        "20:14: training.stop_when: sum() of a single number has no axis to reduce; write sum(…) without one",
    ),
    (
        "rate-zero",
        edit("learning_rate = 0.1", "learning_rate = 0"),
        "18:1: training.learning_rate: learning_rate must be above 0 and at most 1e6 (got 0.0)",
    ),
    (
        "rate-too-large",
        edit("learning_rate = 0.1", "learning_rate = 1e7"),
        "18:1: training.learning_rate: learning_rate must be above 0 and at most 1e6 (got 10000000.0)",
    ),
    (
        "rate-nan",
        edit("learning_rate = 0.1", "learning_rate = nan"),
        "18:1: training.learning_rate: learning_rate must be above 0 and at most 1e6 (got nan)",
    ),
    (
        "rate-huge-integer",
        edit("learning_rate = 0.1", "learning_rate = 1" + "0" * 400),
        "18:1: training.learning_rate: learning_rate must be above 0 and at most 1e6 (got inf)",
    ),
    (
        "epochs-zero",
        edit("epochs = 3", "epochs = 0"),
        "19:1: training.epochs: epochs must be from 1 to 1000000 (got 0)",
    ),
    (
        "epochs-too-many",
        edit("epochs = 3", "epochs = 1_000_001"),
        "19:1: training.epochs: epochs must be from 1 to 1000000 (got 1000001)",
    ),
    (
        "stop-not-a-condition",
        edit("epochs = 3", 'epochs = 3\nstop_when = "loss"'),
        "20:14: training.stop_when: not a condition: compare it with < <= > >= == or != (e.g. loss < 0.01) in 'loss'",
    ),
    (
        "stop-joins-a-number",
        edit("epochs = 3", 'epochs = 3\nstop_when = "loss < 1 and epoch"'),
        "20:27: training.stop_when: not a condition: compare it with < <= > >= == or != (e.g. loss < 0.01) in "
        "'loss < 1 and epoch'",
    ),
]

test_each_problem_is_one_line_at_the_exact_place = one_line_at_the_exact_place(CASES)
