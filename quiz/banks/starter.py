"""The commented starter file `flask questions new` writes. Pure."""

from __future__ import annotations

STARTER = """\
# yaml-language-server: $schema=schema.json
# A question bank. The format is documented in questions/README.md; check your work with
#   flask --app app questions lint questions/{bank_id}.yaml
# and load it with
#   flask --app app questions sync

title: {title}
description: What this bank covers, in a sentence or two.
# Defaults for every question below (a question's own value wins).
era: rapprochement    # cold-war | post-cold-war | rupture-2011 | rapprochement
# Themes: diplomacy, defence, energy-economy, afghanistan-security, india, china, people
tags: [diplomacy]

questions:
  # Ids are forever: learners' progress hangs on them. Lowercase words joined by hyphens.
  - id: {bank_id}-first-question
    type: multiple_choice
    prompt: Which Russian minister signed the Lahore-Karachi gas pipeline agreement with Pakistan?
    choices:
      - Alexander Novak
      # A choice may carry feedback for the learner who picks it.
      - {{text: Sergey Lavrov, why: "Lavrov is the foreign minister; energy is Novak's brief."}}
      - Sergei Shoigu
      - Nikolai Patrushev
    answer: Alexander Novak
    explanation: >-
      Write why the answer is right, in your own words, and what it connects to.
    source: {{article: new-best-friends, section: lets-do-business}}
    tags: [energy-economy]
    difficulty: 2           # 1 easy, 2 medium, 3 hard

  # More types: multiple_select, true_false, short_answer, numeric, cloze, ordering,
  # matching, flashcard. See questions/README.md for one complete example of each.
"""


def starter_bank(bank_id: str) -> str:
    """The starter YAML for a bank called `bank_id`."""
    title = bank_id.replace("-", " ").capitalize()
    return STARTER.format(bank_id=bank_id, title=title)
