"""Answer cards with Anki's own engine: run as a script under libfaketime (see test_anki_parity).

Reads a JSON batch on stdin (settings and time-ordered answers) and writes, for each answer,
the card's due study day and memory state as Anki computed them. Anki takes "now" from the
system clock, so the parent sets LD_PRELOAD=libfaketime with FAKETIME_NO_CACHE=1, and this
script moves the clock before each answer by setting FAKETIME; ANKI_TEST_MODE=1 turns Anki's
fuzz off. The learner's time zone is the process's TZ.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

ROLLOVER_HOUR = 4


def study_date(stamp: float, tz: ZoneInfo) -> date:
    local = datetime.fromtimestamp(stamp, tz)
    return local.date() - timedelta(days=1 if local.hour < ROLLOVER_HOUR else 0)


def main() -> None:
    batch = json.load(sys.stdin)
    tz = ZoneInfo(batch["time_zone"])
    answers = batch["answers"]
    os.environ["FAKETIME"] = str(answers[0][1] - 86400)
    from anki.collection import Collection
    from anki.config import Config

    with tempfile.TemporaryDirectory() as folder:
        col = Collection(os.path.join(folder, "parity.anki2"))
        col.set_config("rollover", ROLLOVER_HOUR)
        col.set_config("fsrs", True)
        # The load balancer would pick intervals by workload: fuzz of another kind.
        col.set_config_bool(Config.Bool.LOAD_BALANCER_ENABLED, False)
        conf = col.decks.config_dict_for_deck_id(1)
        conf["new"]["delays"] = batch["learning_steps"]
        conf["lapse"]["delays"] = batch["relearning_steps"]
        conf["rev"]["maxIvl"] = batch["maximum_interval"]
        conf["fsrsParams6"] = batch["parameters"]
        conf["desiredRetention"] = batch["desired_retention"]
        col.decks.update_config(conf)
        basic = col.models.by_name("Basic")
        card_ids = []
        for index in range(batch["cards"]):
            note = col.new_note(basic)
            note["Front"] = f"card {index}"
            col.add_note(note, 1)
            card_ids.append(note.cards()[0].id)
        results = []
        for card_index, stamp, rating in answers:
            os.environ["FAKETIME"] = str(stamp)
            card = col.get_card(card_ids[card_index])
            card.start_timer()
            col.sched.answerCard(card, rating)
            card.load()
            if card.queue in (2, 3):  # review and day-learning: due is a day number
                due = study_date(time.time(), tz) + timedelta(days=card.due - col.sched.today)
            else:  # intraday learning: due is a timestamp
                due = study_date(card.due, tz)
            memory = card.memory_state
            results.append({"due_day": due.isoformat(), "type": card.type,
                            "stability": memory.stability if memory else None,
                            "difficulty": memory.difficulty if memory else None})
        col.close()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
