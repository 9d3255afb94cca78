"""The live room: a classroom poll served from the instructor's laptop (``seminarkit room``).

The instructor runs ``seminarkit room serve``; it opens a SQLite database in the course folder
and serves a Starlette app under uvicorn. A *session* polls one quiz (module, questions, seed)
and has a short join code. Students' practice notebooks, given the room's address and the join
code, send every answer they check; the projector page shows one live histogram per question
(server-sent events) and reveals the key on demand.

Modules, one job each:

* :mod:`~seminarkit.room.security` — tokens, join codes, signed student ids, rate limits;
* :mod:`~seminarkit.room.store` — the SQLite store (sessions, students, answers);
* :mod:`~seminarkit.room.questions` — a session's questions: validating, checking and
  bucketing answers, the histogram bars;
* :mod:`~seminarkit.room.sessions` — opening sessions and building their live snapshots;
* :mod:`~seminarkit.room.http` — request parsing (size, type, JSON) and error responses;
* :mod:`~seminarkit.room.app` — the Starlette routes and the live-update hub;
* :mod:`~seminarkit.room.server` — binding the socket and running uvicorn;
* :mod:`~seminarkit.room.export` — results as CSV plus one figure per question;
* :mod:`~seminarkit.room.client` — the notebook side: join and send answers in the background.
"""
