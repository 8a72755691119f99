"""The pgqueuer side of `flutterbye-bench queue`: the same three measurements as the Swift side, with pgqueuer's
own API on its own database of the same PostgreSQL cluster, printed as one JSON object on stdout.

    PGQUEUER_BENCH_DSN=postgres://postgres@127.0.0.1:PORT/pgqueuer_bench \
        .venv/bin/python Benchmarks/reference/pgqueuer_queue.py --jobs 10000 --enqueuers 8 --workers 1,8

1. enqueue rate: --jobs single-job `Queries.enqueue` calls from --enqueuers concurrent tasks, each on its own
   asyncpg connection (pgqueuer's `AsyncpgDriver` serialises the queries of one connection);
2. claim+complete rate of no-op jobs, for each worker count in --workers: one `QueueManager` per worker, each on
   its own asyncpg connection, all in this one event loop (uvloop, as pgqueuer's own tools/benchmark.py), run in
   drain mode with pgqueuer's defaults (batch_size 10, no concurrency limits; completions are logged by its
   JobStatusLogBuffer in batches). Timed from the moment every manager has reached its first dequeue (start-up:
   schema verification and LISTEN, is not counted) to the moment the last completion is written;
3. enqueue-to-claim latency: one `QueueManager` in continuous mode (woken by its LISTEN/NOTIFY trigger); a producer
   on another connection enqueues one job every --latency-interval-ms; latency = the moment the no-op entrypoint
   starts (right after the dequeue that claimed the job) minus the moment the enqueue call started, both with
   time.perf_counter in this process.

The DSN comes from the environment (PGQUEUER_BENCH_DSN), not the command line, so a password stays out of `ps`.
The schema is installed with pgqueuer's own installer (`Queries.install()`, what `pgq install` runs), default
durability (all tables logged). Log messages go to stderr; stdout carries only the JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version


def fail(message: str) -> None:
    """Prints `message` as the JSON error object the Swift side reports, and exits 2."""
    print(json.dumps({"error": message}))
    sys.exit(2)


try:
    import asyncpg
    import uvloop
    from pgqueuer import QueueManager, Queries
    from pgqueuer.db import AsyncpgDriver
    from pgqueuer.models import Job
    from pgqueuer.types import QueueExecutionMode
except ImportError as error:  # The Swift side prints the pip command.
    fail(f"pgqueuer is not importable ({error})")


def cpu_now() -> tuple[float, float]:
    """CPU seconds (user + system) taken so far by this process and by every PostgreSQL process on the machine, as
    the Swift side's ProcessCPU reads them from /proc; zeros where /proc is not there."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    postgres = 0.0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return time.process_time(), 0.0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        fields = text[text.rfind(")") + 2 :].split()
        if name == "postgres" and len(fields) > 12:
            postgres += (int(fields[11]) + int(fields[12])) / ticks
    return time.process_time(), postgres


def cpu_since(before: tuple[float, float]) -> dict:
    """The CPU seconds of this process ("client") and of PostgreSQL since `before`."""
    client, postgres = cpu_now()
    return {"client": client - before[0], "postgres": postgres - before[1]}


def payload(index: int) -> bytes:
    """A payload of the same content and size as the Swift side's token job request."""
    return json.dumps(
        {
            "idempotency_key": f"bench-{index}",
            "token_program": "token",
            "decimals": 6,
            "name": "Flutterbye Bench",
            "symbol": "FBENCH",
            "uri": "https://flutterbye.example/bench.json",
            "amount": "1000000000",
            "recipient": "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z",
        }
    ).encode()


@dataclass
class TimedQueries(Queries):
    """pgqueuer's `Queries`, unchanged, plus two timestamps for the drain measurement: when every queue manager
    has reached its first dequeue (they wait for each other there, so all start together) and when the completion
    of the last expected job has been written (`log_jobs`, called by the completion buffer)."""

    clock: "DrainClock | None" = None

    async def dequeue(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.clock is not None:
            await self.clock.arrive(kwargs.get("queue_manager_id"))
        return await super().dequeue(*args, **kwargs)

    async def log_jobs(self, job_status):  # type: ignore[no-untyped-def]
        await super().log_jobs(job_status)
        if self.clock is not None:
            self.clock.completed(sum(1 for _, status, _ in job_status if status == "successful"))


@dataclass
class DrainClock:
    """The start gate and finish line shared by the queue managers of one drain run."""

    managers: int
    target: int
    arrived: set = field(default_factory=set)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    done: int = 0
    start: float | None = None
    end: float | None = None
    cpu_start: tuple[float, float] | None = None
    cpu: dict | None = None

    async def arrive(self, manager_id: object) -> None:
        if self.gate.is_set():
            return
        self.arrived.add(manager_id)
        if len(self.arrived) >= self.managers:
            self.start = time.perf_counter()
            self.cpu_start = cpu_now()
            self.gate.set()
        await self.gate.wait()

    def completed(self, count: int) -> None:
        self.done += count
        if self.done >= self.target and self.end is None:
            self.end = time.perf_counter()
            if self.cpu_start is not None:
                self.cpu = cpu_since(self.cpu_start)


async def install(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        queries = Queries(AsyncpgDriver(connection))
        if not await queries.schema_is_installed():
            await queries.install()
    finally:
        await connection.close()


async def enqueue_rate(dsn: str, jobs: int, enqueuers: int) -> dict:
    connections = [await asyncpg.connect(dsn) for _ in range(enqueuers)]
    try:
        queries = [Queries(AsyncpgDriver(c)) for c in connections]

        async def producer(k: int) -> None:
            for i in range(k, jobs, enqueuers):
                await queries[k].enqueue("noop", payload(i))

        start, cpu_start = time.perf_counter(), cpu_now()
        await asyncio.gather(*(producer(k) for k in range(enqueuers)))
        seconds, cpu = time.perf_counter() - start, cpu_since(cpu_start)
    finally:
        for c in connections:
            await c.close()
    return {"jobs": jobs, "concurrency": enqueuers, "seconds": seconds, "per_second": jobs / seconds, "cpu": cpu}


async def fill(dsn: str, jobs: int, offset: int) -> None:
    """Enqueues `jobs` no-op jobs in one batch (untimed: the queue for a drain run)."""
    connection = await asyncpg.connect(dsn)
    try:
        await Queries(AsyncpgDriver(connection)).enqueue(
            ["noop"] * jobs, [payload(offset + i) for i in range(jobs)], [0] * jobs
        )
    finally:
        await connection.close()


async def drain_rate(dsn: str, jobs: int, workers: int, batch_size: int) -> dict:
    clock = DrainClock(managers=workers, target=jobs)
    connections = [await asyncpg.connect(dsn) for _ in range(workers)]
    executed = 0
    try:
        managers = []
        for c in connections:
            manager = QueueManager(TimedQueries(AsyncpgDriver(c), clock=clock))

            @manager.entrypoint("noop")
            async def noop(job: Job) -> None:
                nonlocal executed
                executed += 1

            managers.append(manager)
        await asyncio.gather(*(m.run(batch_size=batch_size, mode=QueueExecutionMode.drain) for m in managers))
    finally:
        for c in connections:
            await c.close()
    if clock.start is None or clock.end is None:
        fail(f"the drain with {workers} workers did not complete {jobs} jobs (completed {clock.done})")
    seconds = clock.end - clock.start
    return {
        "workers": workers,
        "jobs": jobs,
        "executed": executed,
        "seconds": seconds,
        "per_second": jobs / seconds,
        "cpu": clock.cpu,
    }


async def latency(dsn: str, samples: int, interval_ms: float, batch_size: int) -> dict:
    worker_connection = await asyncpg.connect(dsn)
    producer_connection = await asyncpg.connect(dsn)
    started: dict[int, float] = {}
    latencies: list[float] = []
    all_claimed = asyncio.Event()
    try:
        manager = QueueManager(Queries(AsyncpgDriver(worker_connection)))

        @manager.entrypoint("latency")
        async def claimed(job: Job) -> None:
            now = time.perf_counter()
            index = int((job.payload or b"-1").decode())
            if index in started:
                latencies.append(now - started[index])
            if len(latencies) >= samples:
                all_claimed.set()

        run = asyncio.create_task(manager.run(batch_size=batch_size))
        # Wait until its LISTEN is in place: pgqueuer's own health check is a NOTIFY round trip through it.
        for _ in range(100):
            try:
                await manager.listener_healthy(timeout=timedelta(seconds=0.2))
                break
            except Exception:
                if run.done():
                    await run
        else:
            fail("pgqueuer's listener never answered its health check")

        producer = Queries(AsyncpgDriver(producer_connection))
        for i in range(samples):
            started[i] = time.perf_counter()
            await producer.enqueue("latency", str(i).encode())
            await asyncio.sleep(interval_ms / 1000)
        try:
            await asyncio.wait_for(all_claimed.wait(), timeout=30)
        except asyncio.TimeoutError:
            fail(f"only {len(latencies)} of {samples} latency jobs were claimed within 30 s")
        manager.shutdown.set()
        await run
    finally:
        await worker_connection.close()
        await producer_connection.close()
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        # Nearest rank, the same definition as the Swift side.
        rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
        return ordered[rank - 1] * 1000

    return {
        "samples": len(ordered),
        "interval_ms": interval_ms,
        "p50_ms": percentile(50),
        "p99_ms": percentile(99),
        "mean_ms": sum(ordered) / len(ordered) * 1000,
        "max_ms": ordered[-1] * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10000)
    parser.add_argument("--enqueuers", type=int, default=8)
    parser.add_argument("--workers", default="1,8", help="comma-separated worker counts for the drain runs")
    parser.add_argument("--batch-size", type=int, default=10, help="QueueManager.run's batch_size (its default: 10)")
    parser.add_argument("--latency-samples", type=int, default=500)
    parser.add_argument("--latency-interval-ms", type=float, default=3.0)
    arguments = parser.parse_args()
    dsn = os.environ.get("PGQUEUER_BENCH_DSN")
    if not dsn:
        fail("set PGQUEUER_BENCH_DSN to the database for pgqueuer")
    logging.getLogger("pgqueuer").setLevel(logging.WARNING)

    await install(dsn)
    result: dict = {
        "pgqueuer": version("pgqueuer"),
        "asyncpg": version("asyncpg"),
        "python": sys.version.split()[0],
        "event_loop": "uvloop " + version("uvloop"),
        "batch_size": arguments.batch_size,
        "worker_model": "N QueueManagers, each on its own asyncpg connection, in one uvloop event loop (one process)",
    }
    result["enqueue"] = await enqueue_rate(dsn, arguments.jobs, arguments.enqueuers)
    drains = []
    offset = arguments.jobs
    for index, workers in enumerate(int(w) for w in arguments.workers.split(",")):
        if index > 0:  # The enqueue run left exactly --jobs jobs for the first drain.
            await fill(dsn, arguments.jobs, offset)
            offset += arguments.jobs
        drains.append(await drain_rate(dsn, arguments.jobs, workers, arguments.batch_size))
    result["drain"] = drains
    result["latency"] = await latency(dsn, arguments.latency_samples, arguments.latency_interval_ms, arguments.batch_size)
    print(json.dumps(result))


if __name__ == "__main__":
    uvloop.run(main())
