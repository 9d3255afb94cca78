"""Exercises and autograding: release student versions, grade submissions safely and fast.

The pieces, one concern each:

* :mod:`~seminarkit.grading.exercise` parses and validates an instructor source notebook;
* :mod:`~seminarkit.grading.release` writes student versions and the student bundle;
* :mod:`~seminarkit.grading.sanitize` rebuilds a submission against the instructor source;
* :mod:`~seminarkit.grading.probes` turns test cells into grader-side checks and the list of
  plain values the submission's process must report;
* :mod:`~seminarkit.grading.runner` / :mod:`~seminarkit.grading.zygote` execute student code
  in a forked, limited, isolated process; :mod:`~seminarkit.grading.executors` schedules it
  (local processes or Dask);
* :mod:`~seminarkit.grading.grade` orchestrates; :mod:`~seminarkit.grading.gradebook`,
  :mod:`~seminarkit.grading.feedback` and :mod:`~seminarkit.grading.manual` write results.
"""
