"""Canvas QTI 1.2 package: manifest, identifiers, response processing and scores, all five banks.

The package is unzipped and parsed; a small QTI 1.2 response-processing interpreter below
(``varequal``, ``vargte``, ``varlte``, ``and``, ``or``, ``not``, ``other``; ``setvar`` Set/Add;
``continue``) scores responses, and the scores are compared with the kit's own checker on the
same responses. No QTI 1.2 schema validator is published on PyPI (the packages there handle
QTI 2.x/3.0), so structure is checked against Canvas's exporter layout instead.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from typing import Any

import pytest

from seminarkit.content.materials import Module, load_course
from seminarkit.content.schema.quiz import Question
from seminarkit.quiz.check import check
from seminarkit.quiz.export import export_module
from seminarkit.quiz.keys import numeric_bounds
from test_quiz_helpers import demo_module

COURSE = load_course()
MODULES = sorted(COURSE.modules)
NS = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2",
      "cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
      "c": "http://canvas.instructure.com/xsd/cccv1p0"}
Q = "{{{}}}".format(NS["q"])
TYPES = {"single": "multiple_choice_question", "multiple": "multiple_answers_question",
         "truefalse": "true_false_question", "numeric": "numerical_question",
         "text": "short_answer_question", "matching": "matching_question",
         "ordering": "matching_question"}
IDENT = re.compile(r"^g[0-9a-f]{32}$")


def unpack(module: Module, edition: str = "instructor") -> tuple[dict[str, bytes], ET.Element]:
    data = export_module(module, "qti", edition)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = ET.fromstring(files["imsmanifest.xml"])
    return files, manifest


def assessment(module: Module, edition: str = "instructor") -> ET.Element:
    files, manifest = unpack(module, edition)
    href = manifest.find("cp:resources/cp:resource[@type='imsqti_xmlv1p2']/cp:file", NS)
    assert href is not None
    return ET.fromstring(files[href.get("href", "")])


# -- a QTI 1.2 response-processing interpreter (enough for Canvas's items) -------------------

def _holds(node: ET.Element, responses: dict[str, Any]) -> bool:
    tag = node.tag.removeprefix(Q)
    if tag == "conditionvar":  # several conditions: any (Canvas writes alternatives so)
        return any(_holds(child, responses) for child in node)
    if tag == "and":
        return all(_holds(child, responses) for child in node)
    if tag == "or":
        return any(_holds(child, responses) for child in node)
    if tag == "not":
        return not all(_holds(child, responses) for child in node)
    if tag == "other":
        return True
    given = responses.get(node.get("respident", ""))
    value = node.text or ""
    if tag == "varequal":
        if isinstance(given, set):
            return value in given
        if isinstance(given, Decimal):
            return given == Decimal(value)
        return isinstance(given, str) and given.casefold() == value.casefold()
    if tag in ("vargte", "varlte"):
        if not isinstance(given, Decimal):
            return False
        return given >= Decimal(value) if tag == "vargte" else given <= Decimal(value)
    raise AssertionError(f"unexpected condition {tag}")


def score(item: ET.Element, responses: dict[str, Any]) -> tuple[float, list[str]]:
    """SCORE (0-100) and the feedback ids shown, for ``responses`` (respident -> value)."""
    total, shown = 0.0, []
    for cond in item.findall("q:resprocessing/q:respcondition", NS):
        var = cond.find("q:conditionvar", NS)
        assert var is not None
        if not _holds(var, responses):
            continue
        for setvar in cond.findall("q:setvar", NS):
            value = float(setvar.text or "0")
            total = value if setvar.get("action") == "Set" else total + value
        shown += [d.get("linkrefid", "") for d in cond.findall("q:displayfeedback", NS)]
        if cond.get("continue", "No") == "No":  # QTI 1.2's default: stop here
            break
    return total, shown


def labels(lid: ET.Element) -> dict[str, str]:
    return {label.findtext("q:material/q:mattext", "", NS): label.get("ident", "")
            for label in lid.findall("q:render_choice/q:response_label", NS)}


def meta(item: ET.Element) -> dict[str, str]:
    return {f.findtext("q:fieldlabel", "", NS): f.findtext("q:fieldentry", "", NS)
            for f in item.findall("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", NS)}


def check_item(question: Question, item: ET.Element) -> None:
    info = meta(item)
    assert info["question_type"] == TYPES[question.type], question.id
    assert Decimal(info["points_possible"]) == Decimal(repr(question.points))
    assert IDENT.match(item.get("ident", "")), item.get("ident")
    feedback_ids = {f.get("ident") for f in item.findall("q:itemfeedback", NS)}
    shown_ids = {d.get("linkrefid") for d in item.iter(f"{Q}displayfeedback")}
    assert shown_ids <= feedback_ids, question.id  # every displayed feedback exists
    kind = question.type
    if kind in ("single", "multiple", "truefalse"):
        lid = item.find("q:presentation/q:response_lid", NS)
        assert lid is not None and lid.get("ident") == "response1"
        assert lid.get("rcardinality") == ("Multiple" if kind == "multiple" else "Single")
        ids = labels(lid)
        assert info["original_answer_ids"].split(",") == list(ids.values())
        if kind == "truefalse":
            assert list(ids) == ["True", "False"]
            for text in ids:
                expected = 100.0 if (text == "True") is question.answer else 0.0
                assert score(item, {"response1": ids[text]})[0] == expected
            return
        assert list(ids) == question.options
        if kind == "single":
            for option, ident in ids.items():
                expected = 100.0 if check(question, option).points else 0.0
                assert score(item, {"response1": ident})[0] == expected, (question.id, option)
        else:
            key = set(question.answer)
            assert score(item, {"response1": {ids[o] for o in key}})[0] == 100.0
            for option in question.options:  # one pick more or less is not full credit
                picks = key ^ {option}
                assert score(item, {"response1": {ids[o] for o in picks}})[0] == 0.0
                assert check(question, sorted(picks)).points < question.points
    elif kind == "numeric":
        low, high = numeric_bounds(question.answer, question.tolerance, question.tolerance_kind)
        for value, accepted in ((low, True), (high, True), ((low + high) / 2, True),
                                (low - Decimal("0.01"), False), (high + Decimal("0.01"), False)):
            got, shown = score(item, {"response1": value})
            assert (got == 100.0) is accepted, (question.id, value)
            assert (check(question, str(value)).points > 0) is accepted
            assert ("general_incorrect_fb" in shown) is not accepted
    elif kind == "text":
        for answer in question.answer:
            assert score(item, {"response1": answer.upper()})[0] == 100.0
        assert score(item, {"response1": "certainly not this"})[0] == 0.0
    else:  # matching, and ordering as matching with positions
        lids = item.findall("q:presentation/q:response_lid", NS)
        rows = {lid.findtext("q:material/q:mattext", "", NS): lid for lid in lids}
        if kind == "matching":
            key = question.answer
            assert sorted(labels(lids[0])) == sorted(question.options)
        else:
            key = {item_: next(t for t in labels(lids[0]) if t.split()[0] == str(n))
                   for n, item_ in enumerate(question.answer, start=1)}
        assert sorted(rows) == sorted(key)
        assert info["original_answer_ids"].split(",") == [
            lid.get("ident", "").removeprefix("response_") for lid in lids]
        shares = [float(s.text or "0") for s in item.iter(f"{Q}setvar")]
        assert shares == [float(f"{100 / len(key):.2f}")] * len(key)
        right = {lid.get("ident"): labels(lid)[key[text]] for text, lid in rows.items()}
        assert score(item, right)[0] == pytest.approx(100, abs=0.01 * len(key))
        first = next(iter(rows))
        wrong = dict(right)
        wrong[rows[first].get("ident")] = "none"
        got, shown = score(item, wrong)
        assert got == pytest.approx(100 * (len(key) - 1) / len(key), abs=0.01 * len(key))
        assert f"{rows[first].get('ident', '').removeprefix('response_')}_fb" in shown


@pytest.mark.parametrize("module_id", MODULES)
def test_package_manifest_points_at_every_file(module_id: str) -> None:
    module = COURSE.module(module_id)
    files, manifest = unpack(module)
    resources = manifest.findall("cp:resources/cp:resource", NS)
    hrefs = {f.get("href") for r in resources for f in r.findall("cp:file", NS)}
    assert hrefs == set(files) - {"imsmanifest.xml"}
    idents = {r.get("identifier") for r in resources}
    deps = {d.get("identifierref") for d in manifest.iter("{{{}}}dependency".format(NS["cp"]))}
    assert deps <= idents and len(idents) == len(resources) == 2
    quiz = ET.fromstring(files[next(h for h in hrefs if h and h.endswith("assessment_meta.xml"))])
    assert quiz.findtext("c:title", "", NS) == module.meta.title
    assert Decimal(quiz.findtext("c:points_possible", "", NS)) == sum(
        Decimal(repr(q.points)) for q in module.need_quiz().questions)
    assert quiz.findtext("c:available", "", NS) == "false"


@pytest.mark.parametrize("module_id", MODULES)
def test_every_item_scores_like_the_kit(module_id: str) -> None:
    module = COURSE.module(module_id)
    bank = module.need_quiz().questions
    root = assessment(module)
    items = root.findall("q:assessment/q:section/q:item", NS)
    assert len(items) == len(bank)
    assert len({i.get("ident") for i in items}) == len(items)
    for question, item in zip(bank, items, strict=True):
        check_item(question, item)


@pytest.mark.parametrize("module_id", MODULES)
def test_student_package_shows_only_public_explanations_and_no_ids(module_id: str) -> None:
    module = COURSE.module(module_id)
    bank = module.need_quiz().questions
    files, _manifest = unpack(module, "student")
    raw = b"".join(files.values()).decode("utf-8")
    items = assessment(module, "student").findall("q:assessment/q:section/q:item", NS)
    for question, item in zip(bank, items, strict=True):
        general = item.find("q:itemfeedback[@ident='general_fb']/q:flow_mat/q:material/q:mattext",
                            NS)
        text = " ".join((general.text if general is not None else "").split())
        assert (" ".join(question.explanation.split()) in text) is question.show_explanation
        assert not re.search(rf"(?<![\w-]){re.escape(question.id)}(?![\w-])", raw), question.id


def test_package_is_reproducible_and_demo_feedback_follows_the_edition() -> None:
    module = demo_module()
    assert export_module(module, "qti") == export_module(module, "qti")
    student = b"".join(unpack(module, "student")[0].values()).decode()
    instructor = b"".join(unpack(module, "instructor")[0].values()).decode()
    assert "SECRET-EXPLANATION" not in student and "PUBLIC-EXPLANATION-TF" in student
    assert instructor.count("SECRET-EXPLANATION") == 6
