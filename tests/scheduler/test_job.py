"""The sweep runs on PTB's JobQueue; the job carries nothing and reloads from the database."""

from __future__ import annotations

from bot.runtime import BotRuntime
from bot.simulator import BotApiSimulator
from models.clock import FrozenClock
from models.db import transaction
from scheduler.sweep import JOB_NAME
from tests.conftest import BotHarness
from tests.scheduler.support import add_user, add_verified, at, deps_of, record


async def test_the_sweep_job_is_scheduled_every_minute_and_sends(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    assert harness.app is not None and harness.app.job_queue is not None
    assert harness.app.job_queue.get_jobs_by_name(JOB_NAME) == ()  # turned off in these tests

    deps, now = deps_of(harness), clock.now()
    async with transaction(deps.session_factory()) as session:
        owner = await add_user(session, sim, telegram_id=8801, name="Ani Lestari", now=now)
        await add_verified(session, owner=owner, name="Posyandu", now=now, settings=deps.settings)
    recorder = record(sim, clock)
    clock.set(at("Asia/Jakarta", 2027, 1, 4, 9, 0))

    settings = harness.settings.model_copy(update={"reminder_sweep_seconds": 60})
    runtime = BotRuntime(settings, clock=clock, webhook_mode=False)
    await runtime.prepare()  # no polling: the harness's process takes the updates
    app = runtime.ptb
    try:
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name(JOB_NAME)
        assert job.data is None
        assert job.trigger.interval.total_seconds() == 60  # type: ignore[attr-defined]
        await job.run(app)
    finally:
        await runtime.stop()
    assert len(recorder.reminders(8801)) == 1
