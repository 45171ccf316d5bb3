import './SchedulesPane.css';
import { useEffect, useState } from 'react';
import type { Schedule, SlotEntry } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';
import { ScheduleEditor } from './ScheduleEditor.js';
import { formatFull, formatWhen } from './scheduleFormat.js';

const REASONS: Record<string, string> = {
  skip: 'the app was closed or the machine asleep',
  run_once: 'one catch-up run covered it',
  run_all_limit: 'past the catch-up limit',
  overlap: 'the last run was still going',
  backoff: 'waiting after a failure',
  paused: 'the schedule was paused',
  queued: 'waiting for the last run to end',
  running: 'running now',
  upcoming: 'still to come',
  interrupted: 'the app stopped during the run',
};

/** What became of a slot, in words. */
function slotWords(entry: SlotEntry): string {
  const why = entry.reason ? (REASONS[entry.reason] ?? entry.reason) : null;
  const manual = entry.trigger === 'manual' ? ' (run now)' : entry.trigger === 'catch_up' ? ' (catch-up)' : '';
  switch (entry.status) {
    case 'ran':
      return `Ran${manual}`;
    case 'failed':
      return `Failed${manual}${entry.error ? `: ${entry.error}` : why ? `: ${why}` : ''}`;
    case 'missed':
      return `Missed${why ? `: ${why}` : ''}`;
    case 'skipped':
      return `Skipped${why ? `: ${why}` : ''}`;
    case 'pending':
      return `Pending${why ? `: ${why}` : ''}`;
  }
}

function statusWords(s: Schedule): string {
  if (s.running) return 'Running';
  if (s.status === 'done') return 'Done';
  if (s.status === 'paused') return s.pausedReason === 'failures' ? `Paused after ${s.consecutiveFailures} failures` : 'Paused';
  return 'Active';
}

function History({ schedule }: { schedule: Schedule }) {
  const entries = useApp((s) => s.scheduleHistory[schedule.id]);
  if (!entries) return <p className="muted">Loading the history…</p>;
  if (!entries.length) return <p className="muted" data-testid="schedule-history-empty">No slot has come yet.</p>;
  return (
    <div className="schedule-history-scroll">
      <table className="schedule-history" data-testid="schedule-history">
        <caption className="visually-hidden">What became of each slot of {schedule.name}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Slot</th>
            <th scope="col">What happened</th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={`${e.slot}-${e.status}-${e.runId ?? ''}`} data-testid="schedule-history-row" data-status={e.status} data-run-id={e.runId ?? ''}>
              <td>
                <time dateTime={e.slot} title={formatFull(Date.parse(e.slot))}>
                  {formatWhen(Date.parse(e.slot))}
                </time>
                {e.through ? ` to ${formatWhen(Date.parse(e.through))}${e.count ? ` (${e.count} slots)` : ''}` : null}
              </td>
              <td className={`slot-${e.status}`}>{slotWords(e)}</td>
              <td className="mono">{e.runId ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ScheduleRow({ schedule, onEdit }: { schedule: Schedule; onEdit(): void }) {
  const pause = useApp((s) => s.pauseSchedule);
  const resume = useApp((s) => s.resumeSchedule);
  const runNow = useApp((s) => s.runScheduleNow);
  const remove = useApp((s) => s.removeSchedule);
  const open = useApp((s) => schedule.id in s.scheduleHistory);
  const loadHistory = useApp((s) => s.loadScheduleHistory);
  const closeHistory = useApp((s) => s.closeScheduleHistory);
  const showThread = useApp((s) => s.showThread);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const next = schedule.nextRunAt ? Date.parse(schedule.nextRunAt) : null;
  const last = schedule.lastRunAt ? Date.parse(schedule.lastRunAt) : null;
  return (
    <li className={`schedule schedule-${schedule.status}`} data-testid="schedule-row" data-id={schedule.id} data-status={schedule.status} data-running={schedule.running}>
      <div className="schedule-head">
        <h3 className="schedule-name">{schedule.name}</h3>
        <span className={`schedule-status status-${schedule.running ? 'running' : schedule.status}`} data-testid="schedule-status">
          {statusWords(schedule)}
        </span>
      </div>
      <p className="schedule-when" data-testid="schedule-when">
        {schedule.description}
      </p>
      <dl className="schedule-facts">
        <dt>Next</dt>
        <dd data-testid="schedule-next-run">{next ? <time dateTime={schedule.nextRunAt!} title={formatFull(next)}>{formatWhen(next)}</time> : '—'}</dd>
        <dt>Last</dt>
        <dd data-testid="schedule-last-result">
          {last ? (
            <>
              <time dateTime={schedule.lastRunAt!}>{formatWhen(last)}</time>
              {schedule.lastResult === 'failed' ? <span className="error-text">: failed{schedule.lastError ? ` (${schedule.lastError})` : ''}</span> : schedule.lastResult === 'ran' ? ': ran' : ''}
            </>
          ) : (
            'not run yet'
          )}
        </dd>
      </dl>
      <div className="schedule-row-actions">
        <button type="button" onClick={() => void runNow(schedule.id)} disabled={schedule.running} data-testid="schedule-run-now">
          Run now
        </button>
        {schedule.status === 'paused' ? (
          <button type="button" onClick={() => void resume(schedule.id)} data-testid="schedule-resume">
            Resume
          </button>
        ) : schedule.status === 'active' ? (
          <button type="button" onClick={() => void pause(schedule.id)} data-testid="schedule-pause">
            Pause
          </button>
        ) : null}
        <button type="button" onClick={onEdit} data-testid="schedule-edit">
          Edit
        </button>
        <button type="button" aria-expanded={open} onClick={() => (open ? closeHistory(schedule.id) : void loadHistory(schedule.id))} data-testid="schedule-history-toggle">
          History
        </button>
        {schedule.lastRunId ? (
          <button type="button" onClick={() => void showThread(`schedule:${schedule.id}`, schedule.name, schedule.lastRunId)} data-testid="schedule-transcript" aria-label={`Open the transcript of ${schedule.name}`}>
            Transcript
          </button>
        ) : null}
        {confirmRemove ? (
          <>
            <button type="button" className="danger" onClick={() => void remove(schedule.id)} data-testid="schedule-remove-confirm">
              Remove {schedule.name} and its history
            </button>
            <button type="button" onClick={() => setConfirmRemove(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirmRemove(true)} data-testid="schedule-remove">
            Remove
          </button>
        )}
      </div>
      {open ? <History schedule={schedule} /> : null}
    </li>
  );
}

/** Schedules: what runs when, its last result and history (missed and skipped slots too), and an editor. */
export function SchedulesPane() {
  const schedules = useApp((s) => s.schedules);
  const loaded = useApp((s) => s.schedulesLoaded);
  const error = useApp((s) => s.scheduleError);
  const notice = useApp((s) => s.scheduleNotice);
  const load = useApp((s) => s.loadSchedules);
  const pauseAll = useApp((s) => s.pauseAllSchedules);
  const resumeAll = useApp((s) => s.resumeAllSchedules);
  // null: no editor; 'new': a new schedule; else the id being edited.
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);
  const edited = editing && editing !== 'new' ? (schedules.find((s) => s.id === editing) ?? null) : null;
  const anyActive = schedules.some((s) => s.status === 'active');
  const anyPausedByAll = schedules.some((s) => s.status === 'paused' && s.pausedReason === 'all');
  return (
    <div className="schedules-pane" data-testid="schedules-pane">
      <div className="schedules-toolbar">
        <h1>Schedules</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setEditing('new')} disabled={editing === 'new'} data-testid="schedule-new">
          New schedule
        </button>
        <button type="button" onClick={() => void pauseAll()} disabled={!anyActive} data-testid="schedules-pause-all">
          Pause all
        </button>
        <button type="button" onClick={() => void resumeAll()} disabled={!anyPausedByAll} data-testid="schedules-resume-all">
          Resume all
        </button>
      </div>
      <p className="muted schedules-intro">Scheduled prompts run while the window is closed too. Each result comes into the timeline; every slot, run or not, is in the history.</p>
      {error ? (
        <p className="inline-error" role="alert" data-testid="schedule-error">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="muted" role="status" data-testid="schedule-notice">
          {notice}
        </p>
      ) : null}
      {editing !== null && (editing === 'new' || edited) ? <ScheduleEditor key={editing} schedule={edited} onDone={() => setEditing(null)} /> : null}
      {schedules.length ? (
        <ul className="schedule-list" data-testid="schedule-list">
          {schedules.map((s) => (
            <ScheduleRow key={s.id} schedule={s} onEdit={() => setEditing(s.id)} />
          ))}
        </ul>
      ) : loaded && editing === null ? (
        <div className="timeline-state" data-testid="schedules-empty">
          <p className="empty-title">No schedules yet</p>
          <p className="empty-hint">A schedule asks the assistant a prompt at set times: every morning, every weekday at 9, every 2 hours. You can also ask in the chat (&ldquo;remind me every weekday at 9 to…&rdquo;).</p>
        </div>
      ) : null}
    </div>
  );
}
