"""The Canvas "QTI .zip file" package of a module's quiz: manifest, assessment, quiz settings.

Layout (as Canvas's own QTI quiz export, ``lib/cc/qti/qti_manifest.rb`` and
``qti_generator.rb`` in canvas-lms)::

    imsmanifest.xml              IMS content package manifest, two resources:
                                   <A> type imsqti_xmlv1p2, file <A>/<A>.xml, depends on <B>
                                   <B> the quiz settings, file <A>/assessment_meta.xml
    <A>/<A>.xml                  <questestinterop><assessment ident=A>: one root section
    <A>/assessment_meta.xml      Canvas quiz settings: title, points, one attempt, unpublished

Canvas imports this as one quiz (unpublished, so the instructor reviews it first) and one
question bank named after it. The zip is reproducible: fixed entry order and timestamps.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from typing import TYPE_CHECKING

from seminarkit.editions import INSTRUCTOR, Edition
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.export.common import paragraphs, points_text
from seminarkit.quiz.export.qti import ident, qti_item

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
IMSMD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_RESOURCE = "imsqti_xmlv1p2"
META_RESOURCE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def assessment_xml(module: Module, edition: Edition = INSTRUCTOR) -> bytes:
    """Build the ``questestinterop`` document: one assessment, one section, the items."""
    root = ET.Element("questestinterop", {
        "xmlns": QTI_NS, "xmlns:xsi": XSI_NS,
        "xsi:schemaLocation": f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
    assessment = ET.SubElement(root, "assessment", ident=ident("quiz", module.id),
                               title=module.meta.title)
    meta = ET.SubElement(ET.SubElement(assessment, "qtimetadata"), "qtimetadatafield")
    ET.SubElement(meta, "fieldlabel").text = "cc_maxattempts"
    ET.SubElement(meta, "fieldentry").text = "1"
    section = ET.SubElement(assessment, "section", ident="root_section")
    for position, question in enumerate(module.need_quiz().questions, start=1):
        section.append(qti_item(question, position, module, edition))
    return _xml(root)


def assessment_meta_xml(module: Module) -> bytes:
    """Canvas's quiz settings: a graded quiz, one attempt, unpublished until reviewed."""
    quiz_id = ident("quiz", module.id)
    root = ET.Element("quiz", {"identifier": quiz_id, "xmlns": CANVAS_NS, "xmlns:xsi": XSI_NS,
                               "xsi:schemaLocation":
                                   f"{CANVAS_NS} https://canvas.instructure.com/xsd/cccv1p0.xsd"})
    total = sum(q.points for q in module.need_quiz().questions)
    settings = [("title", module.meta.title),
                ("description", paragraphs(f"Quiz of the module {module.meta.title}.")),
                ("shuffle_answers", "false"), ("scoring_policy", "keep_highest"),
                ("hide_results", ""), ("quiz_type", "assignment"),
                ("points_possible", points_text(total)), ("show_correct_answers", "true"),
                ("anonymous_submissions", "false"), ("could_be_locked", "false"),
                ("allowed_attempts", "1"), ("one_question_at_a_time", "false"),
                ("cant_go_back", "false"), ("available", "false"), ("one_time_results", "false"),
                ("show_correct_answers_last_attempt", "false"),
                ("only_visible_to_overrides", "false"), ("module_locked", "false")]
    for tag, value in settings:
        ET.SubElement(root, tag).text = value
    return _xml(root)


def manifest_xml(module: Module) -> bytes:
    """Build the IMS content-package manifest: the assessment and its settings."""
    quiz_id, meta_id = ident("quiz", module.id), ident("quiz-meta", module.id)
    root = ET.Element("manifest", {"identifier": ident("package", module.id), "xmlns": CP_NS,
                                   "xmlns:imsmd": IMSMD_NS, "xmlns:xsi": XSI_NS,
                                   "xsi:schemaLocation": f"{CP_NS} "
                                   "http://www.imsglobal.org/xsd/imscp_v1p1.xsd "
                                   f"{IMSMD_NS} http://www.imsglobal.org/xsd/imsmd_v1p2p2.xsd"})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    title = ET.SubElement(ET.SubElement(ET.SubElement(metadata, "imsmd:lom"), "imsmd:general"),
                          "imsmd:title")
    ET.SubElement(title, "imsmd:string").text = f"QTI quiz export: {module.meta.title}"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    quiz = ET.SubElement(resources, "resource", identifier=quiz_id, type=QTI_RESOURCE)
    ET.SubElement(quiz, "file", href=f"{quiz_id}/{quiz_id}.xml")
    ET.SubElement(quiz, "dependency", identifierref=meta_id)
    meta = ET.SubElement(resources, "resource", identifier=meta_id, type=META_RESOURCE,
                         href=f"{quiz_id}/assessment_meta.xml")
    ET.SubElement(meta, "file", href=f"{quiz_id}/assessment_meta.xml")
    return _xml(root)


def export_qti(module: Module, edition: Edition = INSTRUCTOR) -> bytes:
    """Return the QTI 1.2 package of ``module``'s quiz as zip bytes (Canvas: "QTI .zip file")."""
    if module.quiz is None or not module.quiz.questions:
        raise QuizError(f"module {module.id!r} has no quiz questions to export")
    quiz_id = ident("quiz", module.id)
    files = [("imsmanifest.xml", manifest_xml(module)),
             (f"{quiz_id}/{quiz_id}.xml", assessment_xml(module, edition)),
             (f"{quiz_id}/assessment_meta.xml", assessment_meta_xml(module))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
