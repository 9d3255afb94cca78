"""The quiz engine: one question bank (``quiz.yaml``) rendered three ways.

* :mod:`~seminarkit.quiz.check` — pure checking functions (real key and sealed key);
* :mod:`~seminarkit.quiz.keys` — canonical forms, salted hashes, :func:`seal_quiz`;
* :mod:`~seminarkit.quiz.select` — deterministic selection and option shuffling;
* :mod:`~seminarkit.quiz.widget` / :mod:`~seminarkit.quiz.notebook` — the live ipywidgets quiz;
* :mod:`~seminarkit.quiz.render` — static HTML blocks for handouts;
* :mod:`~seminarkit.quiz.export` — GIFT, CSV and JSON exports;
* :mod:`~seminarkit.quiz.scoring` / :mod:`~seminarkit.quiz.variants` — exams: per-student
  variants and scoring saved responses with the real key.

Submodules are imported on demand (the widget pulls in ipywidgets; the rest does not).
"""
