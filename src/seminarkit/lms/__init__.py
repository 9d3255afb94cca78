"""Learning platforms (Canvas, Moodle): rosters in, grade-import files out.

* :mod:`~seminarkit.lms.rosters` — read the roster CSV a platform exports and map its rows to
  the kit's student ids (:func:`~seminarkit.lms.rosters.read_roster`);
* :mod:`~seminarkit.lms.layouts` — the column layouts of those exports;
* :mod:`~seminarkit.lms.cells` — spreadsheet-safe CSV cells;
* :mod:`~seminarkit.lms.grades` — the gradebook in each platform's grade-import layout.

Question banks for the platforms are exported by :mod:`seminarkit.quiz.export`.
"""
