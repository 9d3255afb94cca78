"""Exercises and autograding: release student versions, grade submissions safely and fast.

The pieces, one concern each:

* :mod:`~seminarkit.grading.exercise` parses and validates an instructor source notebook;
* :mod:`~seminarkit.grading.release` writes student versions and the student bundle;
* :mod:`~seminarkit.grading.submissions` finds and reads submissions (bounded, no links out);
* :mod:`~seminarkit.grading.sanitize` rebuilds a submission against the instructor source;
* :mod:`~seminarkit.grading.probes` turns test cells into grader-side checks and the list of
  plain values the submission's process must report;
* :mod:`~seminarkit.grading.sandbox` (grader side), :mod:`~seminarkit.grading.template`
  (the pristine fork server), :mod:`~seminarkit.grading.supervisor` (one attempt, limits),
  :mod:`~seminarkit.grading.runner` (the student side), :mod:`~seminarkit.grading.shell`
  (the IPython shell cells run in), :mod:`~seminarkit.grading.isolation` (namespaces,
  Landlock, seccomp) and :mod:`~seminarkit.grading.processes` (task cgroup, sweep) execute
  student code; :mod:`~seminarkit.grading.executors` schedules
  jobs (local threads or Dask);
* :mod:`~seminarkit.grading.grade` orchestrates; :mod:`~seminarkit.grading.gradebook`,
  :mod:`~seminarkit.grading.feedback`, :mod:`~seminarkit.grading.manual` and
  :mod:`~seminarkit.grading.quizitems` write results.
"""
