"""The bank reader, validator and linter, without Flask or a database."""

import difflib
import json
import random
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.banks import spec
from quiz.banks.lint import first_near_repeats, two_sided_binomial
from quiz.banks.loader import load_catalog
from quiz.banks.reader import MAX_BYTES, read
from quiz.core.text import normalise
from tests.conftest import TEST_BANKS

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"
BANK_FILES = sorted(p for p in QUESTIONS.glob("*.yaml")
                    if p.name not in ("sources.yaml", "events.yaml"))


def test_the_real_banks_lint_clean():
    catalog = load_catalog(QUESTIONS)
    assert [str(p) for p in catalog.errors] == []
    assert sum(len(b.questions) for b in catalog.banks.values()) >= 200


@pytest.mark.parametrize("name", list(spec.SCHEMAS))
def test_the_committed_json_schemas_are_up_to_date(name):
    committed = (QUESTIONS / name).read_text(encoding="utf-8")
    assert committed == spec.json_schema(spec.SCHEMAS[name]), (
        f"questions/{name} is stale: run `flask --app app questions schema`")


@pytest.mark.parametrize("path", BANK_FILES, ids=[p.stem for p in BANK_FILES])
def test_every_bank_names_the_schema_and_validates_against_it(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=schema.json\n")
    schema = json.loads((QUESTIONS / "schema.json").read_text())
    jsonschema.validate(yaml.safe_load(text), schema)


def test_the_schema_flags_what_an_editor_should_underline():
    schema = json.loads((QUESTIONS / "schema.json").read_text())
    bad = {"title": "t", "description": "d", "questions": [
        {"id": "x", "type": "true_false", "prompt": "p", "anwser": True, "explanation": "e",
         "source": {"article": "a", "section": "s"}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_every_field_in_the_schema_has_a_description_for_editor_hover_text():
    schema = json.loads((QUESTIONS / "schema.json").read_text())
    for name, definition in schema["$defs"].items():
        if name == "Choice" or "properties" not in definition:
            continue
        for field, body in definition["properties"].items():
            assert body.get("description"), f"{name}.{field} has no description"


def test_files_over_the_size_limit_are_refused_before_parsing():
    doc = read("big.yaml", b"a: " + b"x" * MAX_BYTES)
    assert [p.code for p in doc.problems] == ["too-large"] and doc.data is None


def test_a_byte_order_mark_is_accepted():
    assert read("bom.yaml", "\ufefftitle: x\n".encode()).data == {"title": "x"}


def test_aliases_are_refused_so_billion_laughs_cannot_expand():
    laughs = b'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    doc = read("laughs.yaml", laughs)
    assert doc.data is None and doc.problems[0].code == "anchor"


def test_python_tags_never_construct_objects():
    doc = read("evil.yaml", b"a: !!python/object/apply:os.system ['echo pwned']\n")
    assert doc.data is None and doc.problems[0].code == "tag"


def test_unquoted_dates_stay_text():
    assert read("d.yaml", b"date: 1971-08-09\n").data == {"date": "1971-08-09"}


def _lint_bytes(tmp_path: Path, raw: bytes) -> None:
    target = tmp_path / "fuzz.yaml"
    target.write_bytes(raw)
    catalog = load_catalog(QUESTIONS, only=[target])
    for problem in catalog.problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.severity in ("error",
                                                                               "warning")


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes_only_ever_produce_lint_errors(tmp_path, raw):
    _lint_bytes(tmp_path, raw)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_arbitrary_text_only_ever_produces_lint_errors(tmp_path, text):
    _lint_bytes(tmp_path, text.encode("utf-8", "surrogatepass"))


def _containers(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from([*sorted(spec.FIELD_NAMES), "x"]), children,
                        max_size=6))


YAMLISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=20), st.sampled_from([*spec.TYPES, "cold-war", "india"])),
    _containers, max_leaves=25)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=YAMLISH)
def test_arbitrary_yaml_structures_only_ever_produce_lint_errors(tmp_path, question):
    bank = {"title": "t", "description": "d", "era": "cold-war", "tags": ["india"],
            "questions": [question]}
    _lint_bytes(tmp_path, yaml.safe_dump(bank).encode())


@pytest.mark.parametrize(("name", "schema"), [("sources.yaml", "schema-sources.json"),
                                              ("events.yaml", "schema-events.json")])
def test_sources_and_events_name_their_own_schema_and_validate_against_it(name, schema):
    text = (QUESTIONS / name).read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={schema}\n")
    jsonschema.validate(yaml.safe_load(text), json.loads((QUESTIONS / schema).read_text()))


def _bank_with(tmp_path: Path, questions: str) -> list:
    for name in ("sources.yaml", "events.yaml"):
        (tmp_path / name).write_text((ROOT / "tests" / "fixtures" / "banks" / name).read_text())
    (tmp_path / "warn.yaml").write_text(
        "title: t\ndescription: d\nera: cold-war\ntags: [india]\nquestions:\n" + questions)
    return load_catalog(tmp_path).problems


def _mc(qid: str, prompt: str, answer_first: bool = True) -> str:
    choices = "[Right, Wrong]" if answer_first else "[Wrong, Right]"
    return (f"  - {{id: {qid}, type: multiple_choice, prompt: '{prompt}', choices: {choices},"
            " answer: Right, explanation: e,"
            " source: {article: new-best-friends, section: lets-do-business}}\n")


LONG_PROMPT = ("Which capital did Liaquat Ali Khan, the first prime minister of Pakistan, "
               "choose to visit in 1950 after he had received invitations from both Washington "
               "and Moscow?")


@pytest.mark.parametrize(("first", "second"), [
    ("Which capital did Liaquat Ali Khan visit in 1950?",
     "Which capital did Liaquat Ali Khan visit in 1950 ?"),
    ("Which capital did Liaquat Ali Khan visit in 1950?",
     "Which capital did Liaquat Ali Khan visit in May 1950?"),
    (LONG_PROMPT, LONG_PROMPT[:-1] + " during those years?")])  # 19 letters longer, 94% alike
def test_near_duplicate_prompts_are_a_warning(tmp_path, first, second):
    problems = _bank_with(tmp_path, _mc("a", first) + _mc("b", second, False))
    (warning,) = [p for p in problems if p.code == "near-duplicate"]
    assert warning.severity == "warning" and warning.line == 7
    assert "nearly repeats 'a'" in warning.message


@pytest.mark.parametrize("second", [
    "In 1950 Liaquat Ali Khan visit did which capital?",  # same letters, different order
    "Which city did Liaquat Ali Khan refuse to visit in 1950?"])
def test_prompts_that_only_share_words_are_not_near_duplicates(tmp_path, second):
    problems = _bank_with(tmp_path, _mc("a", "Which capital did Liaquat Ali Khan visit in 1950?")
                          + _mc("b", second, False))
    assert [p for p in problems if p.code == "near-duplicate"] == []


def test_answers_bunched_in_one_position_are_a_warning(tmp_path):
    questions = "".join(_mc(f"q{i}", f"Question number {i} about something quite different {i}"
                            * (i + 1)) for i in range(8))
    (warning,) = [p for p in _bank_with(tmp_path, questions) if p.code == "answer-position"]
    assert warning.severity == "warning"
    assert warning.message == "8 of 8 multiple-choice answers are choice 1: spread them out"


def _readme_examples() -> list[tuple[int, str]]:
    text = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"```yaml\n(.*?)```", text, re.S):
        if "- id:" in match.group(1) and "type:" in match.group(1):
            blocks.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


def test_the_format_guide_has_a_complete_example_of_every_type_and_each_one_lints_clean(
        tmp_path):
    examples = _readme_examples()
    shown = {re.search(r"type: (\w+)", body).group(1) for _, body in examples}
    assert shown == set(spec.TYPES)
    for name in ("sources.yaml", "events.yaml"):
        (tmp_path / name).write_text((QUESTIONS / name).read_text())
    for line, body in examples:
        bank = body if body.lstrip("# \n").startswith(("yaml-language-server", "title")) else (
            "title: t\ndescription: d\nera: cold-war\ntags: [diplomacy]\nquestions:\n" + body)
        (tmp_path / "example.yaml").write_text(bank)
        catalog = load_catalog(tmp_path, only=[tmp_path / "example.yaml"])
        assert [str(p) for p in catalog.problems_in(str(tmp_path / "example.yaml"))] == [], (
            f"README example at line {line}")


def test_the_banks_cover_the_issue_brief():
    """Four era banks, 200+ questions, every type 15+ times, 40+ events, every section cited,
    every question with an explicit difficulty."""
    catalog = load_catalog(QUESTIONS)
    assert set(catalog.banks) == {"cold-war", "post-cold-war", "rupture-2011", "rapprochement"}
    questions = [q.model for bank in catalog.banks.values() for q in bank.questions]
    assert len(questions) >= 200
    counts = {kind: sum(q.type == kind for q in questions) for kind in spec.TYPES}
    assert min(counts.values()) >= 15, counts
    assert len(catalog.events) >= 40
    cited = {(q.source.article, q.source.section) for q in questions}
    sections = {(a.id, s.id) for a in catalog.articles.values() for s in a.sections}
    assert sections <= cited, sections - cited
    for path in QUESTIONS.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        for question in (data.get("questions") or []) if isinstance(data, dict) else []:
            assert "difficulty" in question, (path.name, question["id"])


def test_an_id_used_in_two_files_is_reported_in_the_second_with_the_first_place(tmp_path):
    for name in ("sources.yaml", "events.yaml"):
        (tmp_path / name).write_text((ROOT / "tests" / "fixtures" / "banks" / name).read_text())
    question = _mc("shared-id", "A question asked in two banks?")
    header = "title: t\ndescription: d\nera: cold-war\ntags: [india]\nquestions:\n"
    (tmp_path / "a.yaml").write_text(header + question)
    (tmp_path / "b.yaml").write_text(header + question)
    catalog = load_catalog(tmp_path)
    (problem,) = catalog.errors
    assert (Path(problem.file).name, problem.line, problem.col) == ("b.yaml", 6, 10)
    assert problem.message == "id 'shared-id' is already used at a.yaml:6"
    assert list(catalog.banks) == ["a"]


def test_a_malformed_event_date_is_reported_at_its_line(tmp_path):
    (tmp_path / "sources.yaml").write_text((TEST_BANKS / "sources.yaml").read_text())
    (tmp_path / "events.yaml").write_text(
        "events:\n  - id: bad-date\n    date: 1971-13\n    title: t\n"
        "    source: {article: new-best-friends, section: lets-do-business}\n")
    (problem,) = load_catalog(tmp_path).errors
    assert (problem.line, problem.col) == (3, 11)
    assert problem.message == "malformed date '1971-13': use YYYY, YYYY-MM or YYYY-MM-DD"


def _difflib_near_repeats(texts: list[str]) -> dict[int, int]:
    """The all-pairs check the index replaced: for each text, the first earlier one alike."""
    found = {}
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for i, text in enumerate(texts):
        matcher.set_seq2(text)
        for j, other in enumerate(texts[:i]):
            matcher.set_seq1(other)
            # difflib's own cheap upper bounds first, then the ratio itself.
            if matcher.real_quick_ratio() >= 0.92 and matcher.quick_ratio() >= 0.92 and \
                    matcher.ratio() >= 0.92:
                found[i] = j
                break
    return found


def test_the_word_index_finds_the_near_duplicates_comparing_all_pairs_finds():
    catalog = load_catalog(QUESTIONS, advice=False)
    prompts = [normalise(q.model.prompt) for bank in catalog.banks.values()
               for q in bank.questions if q.model.prompt and q.model.type != "ordering"]
    rng = random.Random(7)
    variants = []
    for text in rng.sample(prompts, 60):
        words = text.split()
        edit = rng.randrange(3)
        if edit == 0:
            words[rng.randrange(len(words))] = "pakistan"
        elif edit == 1:
            words = [word + "s" if len(word) > 8 else word for word in words]
        else:
            words.append("in those years")
        variants.append(" ".join(words))
    texts = prompts + variants
    expected = _difflib_near_repeats(texts)
    assert len(expected) >= 30
    assert first_near_repeats(texts) == expected


def test_a_split_of_true_false_keys_is_judged_by_the_binomial_test():
    assert two_sided_binomial(14, 18) == pytest.approx(0.0309, abs=1e-4)  # reported
    assert two_sided_binomial(6, 8) > 0.05 and two_sided_binomial(4, 4) > 0.05  # chance


INFERRED_EVENTS = """\
events:
  - {id: pipeline-signed, date: "2015-10-16", inferred: true, title: Pipeline signed,
     source: {article: new-best-friends, section: lets-do-business}}
  - {id: red-line, date: "2014-06", title: India's red line,
     source: {article: new-best-friends, section: lets-do-business}}
  - {id: defence-agreement, date: "2014-11", inferred: true, title: Defence agreement,
     source: {article: new-best-friends, section: lets-do-business}}
"""


def _inferred_warnings(tmp_path: Path, question: str) -> list[str]:
    (tmp_path / "sources.yaml").write_text((TEST_BANKS / "sources.yaml").read_text())
    (tmp_path / "events.yaml").write_text(INFERRED_EVENTS)
    (tmp_path / "bank.yaml").write_text(
        "title: t\ndescription: d\nera: rapprochement\ntags: [energy-economy]\nquestions:\n"
        + textwrap.indent(textwrap.dedent(question), "  ")
        + "    source: {article: new-best-friends, section: lets-do-business}\n")
    return [p.message.split(" is inferred")[0] for p in load_catalog(tmp_path).problems
            if p.code == "inferred-year"]


@pytest.mark.parametrize(("question", "warned"), [
    ("""\
     - id: q
       type: true_false
       prompt: The pipeline deal was signed on 16 October 2015.
       answer: true
       explanation: In 2015, by the article's date. The year is inferred.
     """, ["'October 2015'"]),
    ("""\
     - id: q
       type: true_false
       prompt: The pipeline deal was signed in October (2015, inferred).
       answer: true
       explanation: India drew its red line in June 2014 and the deal came in November 2014.
     """, ["'November 2014'"]),
    ("""\
     - id: q
       type: multiple_choice
       prompt: When was the pipeline deal signed?
       choices: [October 2015, June 2014, "1949"]
       answer: October 2015
       explanation: The article's "October 16"; the year is background, from its date.
     """, ["'October 2015'"]),
    ("""\
     - id: q
       type: matching
       prompt: Match each date (2014-2015, years inferred) to its step.
       pairs: {November 2014: Defence agreement, October 2015: Pipeline signed}
       explanation: Both dates come from the article's "last November" and "October 16".
     """, []),
])
def test_an_inferred_date_needs_a_label_in_or_next_to_its_sentence(tmp_path, question, warned):
    assert _inferred_warnings(tmp_path, question) == warned
