"""Benchmark: the live room under a class of 60 students, on this machine (2 cores).

Run from the repository root::

    PYTHONPATH=src .venv/bin/python benchmarks/room_bench.py [--students 60] [--rate 60] [--seconds 20]

Starts a real ``seminarkit room serve`` process on 127.0.0.1 (a fresh database in a temp folder),
opens a 10-question session and lets ``--students`` simulated students join. Then, side by side
on the same server and client:

1. **paced** — an open-loop load of ``--rate`` answers per second in total (each student answers
   every ``students / rate`` seconds on a fixed schedule, phases spread evenly, so a slow answer
   does not slow the offered load) for ``--seconds``: every answer is
   validated, checked with the real key, stored in SQLite (one commit each) and pushed to a
   connected projector stream. Reports answers/s, p50/p95/p99 latency.
2. **baseline** — the same paced load on ``GET /healthz`` (Starlette + uvicorn + the client, no
   checking, no database): the floor on this machine. Reports the p95 ratio answer / baseline.
3. **capacity** — each student posts back-to-back (closed loop) for ``--seconds``: the most
   answers per second the room sustains here, with its latency. The per-student limit (5/s
   after a burst of 20) caps what 60 students may store at 300/s: refusals (429) are listed and
   ``ok/s`` counts the stored answers only.

Each run also reports the server process's CPU time per request (``cpu ms``, from /proc): unlike
latency, it hardly depends on what else the machine is doing, and ``1000 / cpu ms`` is what one
core could serve.

The clients run in this process (one asyncio loop, one keep-alive connection per student) and
share the 2 cores with the server, so the latencies are conservative; the load average before and
after is printed, since other work on the machine moves the tail. Target (issue 19): p95
under 100 ms at 60 answers per second. Traffic goes to 127.0.0.1 only, bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
MODULE = "afghanistan-2018"


def start_room(folder: Path, token: str) -> tuple[subprocess.Popen[bytes], str]:
    log = folder / "room.log"
    env = dict(os.environ, SEMINARKIT_ROOM_TOKEN=token, PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p))
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "seminarkit", "room", "serve", "--port", "0",
                                 "--db", str(folder / "room.sqlite3")], stdout=out, stderr=subprocess.STDOUT,
                                env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.findall(r"listening on (http://127\.0\.0\.1:\d+)", log.read_text())
        if found:
            return proc, found[0]
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"the room did not start:\n{log.read_text()}")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far, from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def answers_for(questions: list[Any]) -> list[tuple[str, Any]]:
    """One valid answer per question, in the form the notebook sends."""
    out: list[tuple[str, Any]] = []
    for q in questions:
        value: Any
        if q.type == "single":
            value = q.options[0]
        elif q.type == "truefalse":
            value = True
        elif q.type == "multiple":
            value = q.options[:2]
        elif q.type == "numeric":
            value = "1979"
        elif q.type == "text":
            value = "a short answer"
        elif q.type == "ordering":
            value = list(q.items)
        else:
            value = {left: q.options[0] for left in q.left}
        out.append((q.id, value))
    return out


def summary(latencies: list[float], elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pick(f: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, max(0, -(-int(f * len(ordered) * 1000) // 1000) - 1))], 1)

    return {"requests": len(ordered), "per_second": round(len(ordered) / elapsed, 1),
            "p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99), "max_ms": round(1000 * ordered[-1], 1)}


async def run_load(base: str, credentials: list[str], code: str, plan: list[tuple[str, Any]], *, rate: float | None,
                   seconds: float, baseline: bool, pid: int) -> dict[str, Any]:
    """Run a paced (``rate``) or closed-loop (``rate=None``) load; summarise the latencies.

    The achieved rate is the number of requests over the time from the first send to the last
    reply.
    """
    latencies: list[float] = []
    failures = 0
    statuses: dict[int, int] = {}
    students = len(credentials)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base, timeout=10, limits=limits) for _ in range(students)]
    cpu_before = cpu_seconds(pid)
    stop_at = time.perf_counter() + seconds
    seq_base = time.time_ns() // 1000

    start = time.perf_counter()
    spans: list[tuple[float, float]] = []

    async def student(index: int, client: httpx.AsyncClient) -> None:
        nonlocal failures
        interval = students / rate if rate else 0.0
        next_at = start + (interval * index / students if rate else 0.0)
        sends = round(seconds / interval) if rate else None
        n = 0
        while True:
            if rate:
                if n == sends:
                    return
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at += interval
            elif time.perf_counter() >= stop_at:
                return
            qid, value = plan[(index + n) % len(plan)]
            n += 1
            began = time.perf_counter()
            if baseline:
                reply = await client.get("/healthz")
            else:
                reply = await client.post("/api/answer", headers={"X-Seminarkit-Student": credentials[index]},
                                          json={"join_code": code, "question": qid, "response": value,
                                                "seq": seq_base + n})
            ended = time.perf_counter()
            latencies.append(ended - began)
            spans.append((began, ended))
            statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
            if reply.status_code != 200:
                failures += 1

    try:
        await asyncio.gather(*(student(i, c) for i, c in enumerate(clients)))
    finally:
        for client in clients:
            await client.aclose()
    result = summary(latencies, max(e for _, e in spans) - min(b for b, _ in spans))
    cpu_after = cpu_seconds(pid)
    result["server_cpu_ms_per_request"] = (round(1000 * (cpu_after - cpu_before) / len(latencies), 2)
                                           if cpu_before is not None and cpu_after is not None else None)
    elapsed = max(e for _, e in spans) - min(b for b, _ in spans)
    result["ok_per_second"] = round(statuses.get(200, 0) / elapsed, 1)
    result["failures"] = failures
    result["refused"] = ", ".join(f"{n} x {code}" for code, n in sorted(statuses.items()) if code != 200)
    return result


async def projector(base: str, token: str, sid: int, seen: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=None) as client, client.stream(
            "GET", f"/api/sessions/{sid}/events", headers={"Authorization": f"Bearer {token}"}) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: state"):
                seen[0] += 1


async def bench(args: argparse.Namespace, base: str, token: str, pid: int) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        made = (await client.post("/api/sessions", headers=auth,
                                  json={"module": MODULE, "n_questions": 10, "seed": 0})).json()
        credentials = [(await client.post("/api/join", json={"join_code": made["join_code"]})).json()["student"]
                       for _ in range(args.students)]
    sys.path.insert(0, str(ROOT / "src"))
    from seminarkit.content.materials import load_course

    bank = {q.id: q for q in load_course(ROOT / "materials").module(MODULE).need_quiz().questions}
    plan = answers_for([bank[q] for q in made["questions"]])
    seen = [0]
    watcher = asyncio.create_task(projector(base, token, made["id"], seen))
    await asyncio.sleep(0.5)
    common = {"seconds": args.seconds, "pid": pid}
    results = {
        "baseline (GET /healthz, paced)": await run_load(base, credentials, made["join_code"], plan, rate=args.rate,
                                                         baseline=True, **common),
        "answers (paced)": await run_load(base, credentials, made["join_code"], plan, rate=args.rate,
                                          baseline=False, **common),
        "answers (capacity, closed loop)": await run_load(base, credentials, made["join_code"], plan, rate=None,
                                                          baseline=False, **common),
    }
    watcher.cancel()
    return {"students": args.students, "target_rate": args.rate, "seconds": args.seconds, "load_before": load_before,
            "projector_updates": seen[0], "runs": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--rate", type=float, default=60.0, help="answers per second in total (paced runs)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run (at most 120)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    if not (1 <= args.students <= 200 and 0 < args.rate <= 500 and 0 < args.seconds <= 120):
        parser.error("keep --students 1..200, --rate up to 500 and --seconds up to 120")
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="room-bench-") as folder:
        proc, base = start_room(Path(folder), token)
        try:
            report = asyncio.run(bench(args, base, token, proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    load = os.getloadavg()
    print(f"live room, {args.students} students, {os.cpu_count()} cores, {args.seconds:.0f} s per run, "
          f"load average before {report['load_before']:.1f}, after {load[0]:.1f}")
    print(f"{'run':34} {'req/s':>7} {'ok/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'cpu ms':>7} {'fail':>5}")
    for name, r in report["runs"].items():
        cpu = r["server_cpu_ms_per_request"]
        print(f"{name:34} {r['per_second']:7.1f} {r['ok_per_second']:7.1f} {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} "
              f"{r['p99_ms']:7.1f} {r['max_ms']:7.1f} {cpu if cpu is not None else float('nan'):7.2f} "
              f"{r['failures']:5d}" + (f"  ({r['refused']})" if r["refused"] else ""))
    paced, floor = report["runs"]["answers (paced)"], report["runs"]["baseline (GET /healthz, paced)"]
    ratio = paced["p95_ms"] / floor["p95_ms"] if floor["p95_ms"] else float("nan")
    verdict = "meets" if paced["p95_ms"] < 100 and paced["per_second"] >= 0.95 * args.rate else "misses"
    print(f"p95 ratio answers / baseline: {ratio:.2f}; projector updates pushed: {report['projector_updates']}")
    print(f"target p95 < 100 ms at {args.rate:.0f} answers/s: {verdict} ({paced['p95_ms']} ms at "
          f"{paced['per_second']} answers/s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
