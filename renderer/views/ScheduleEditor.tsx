import { useEffect, useId, useState } from 'react';
import { WEEKDAYS, type MemoryAccess, type MissedPolicy, type OverlapPolicy, type Schedule, type SchedulePreview, type Weekday } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';
import type { ScheduleDraft, SchedulePatchDraft } from '../store/schedules.js';
import { formatWhen } from './scheduleFormat.js';

type Kind = 'interval' | 'daily' | 'cron' | 'once';
type Unit = 'seconds' | 'minutes' | 'hours' | 'days';
const UNIT_SECONDS: Record<Unit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };
const DAY_LABELS: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

/** What the form holds; turned into a spec and an envelope on save. */
interface Form {
  name: string;
  prompt: string;
  kind: Kind;
  every: string;
  unit: Unit;
  time: string;
  days: Weekday[];
  expr: string;
  at: string;
  timeZone: string;
  missed: MissedPolicy;
  overlap: OverlapPolicy;
  memory: MemoryAccess;
  model: string;
  budgetTokens: string;
  notifyOnSuccess: boolean;
  notifyOnFailure: boolean;
}

function formFrom(schedule: Schedule | null): Form {
  const base: Form = { name: '', prompt: '', kind: 'daily', every: '1', unit: 'hours', time: '09:00', days: [], expr: '0 9 * * 1-5', at: '', timeZone: '', missed: 'skip', overlap: 'skip', memory: 'read', model: '', budgetTokens: '', notifyOnSuccess: true, notifyOnFailure: true };
  if (!schedule) return base;
  const f: Form = { ...base, name: schedule.name, prompt: schedule.prompt, kind: schedule.spec.kind, missed: schedule.missed, overlap: schedule.overlap, memory: schedule.memory, model: schedule.model ?? '', budgetTokens: schedule.budgetTokens?.toString() ?? '', notifyOnSuccess: schedule.notify.onSuccess, notifyOnFailure: schedule.notify.onFailure };
  const spec = schedule.spec;
  if (spec.kind === 'interval') {
    const unit = (['days', 'hours', 'minutes', 'seconds'] as Unit[]).find((u) => spec.everySeconds % UNIT_SECONDS[u] === 0) ?? 'seconds';
    return { ...f, every: String(spec.everySeconds / UNIT_SECONDS[unit]), unit };
  }
  if (spec.kind === 'daily') return { ...f, time: spec.time, days: spec.days, timeZone: spec.timeZone };
  if (spec.kind === 'cron') return { ...f, expr: spec.expr, timeZone: spec.timeZone };
  return { ...f, at: spec.at };
}

function specOf(f: Form): ScheduleDraft['spec'] {
  const zone = f.timeZone.trim() ? { timeZone: f.timeZone.trim() } : {};
  switch (f.kind) {
    case 'interval':
      return { kind: 'interval', everySeconds: Math.round(Number(f.every) * UNIT_SECONDS[f.unit]) };
    case 'daily':
      return { kind: 'daily', time: f.time, days: f.days, ...zone };
    case 'cron':
      return { kind: 'cron', expr: f.expr, ...zone };
    case 'once':
      return { kind: 'once', at: f.at, ...zone };
  }
}

/**
 * Creates or changes a schedule: name, prompt, timing with its plain-words description and next five
 * fire times as the timing is typed, which ends of its runs notify, what happens to missed and overlapping
 * slots, and the run's envelope.
 */
export function ScheduleEditor({ schedule, onDone }: { schedule: Schedule | null; onDone(): void }) {
  const previewSchedule = useApp((s) => s.previewSchedule);
  const saveSchedule = useApp((s) => s.saveSchedule);
  const [form, setForm] = useState<Form>(() => formFrom(schedule));
  const [preview, setPreview] = useState<SchedulePreview | null>(null);
  const [timingError, setTimingError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const ids = useId();
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const specKey = JSON.stringify(specOf(form));

  // The description and next times follow the timing as it is typed, a moment after the last key.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void previewSchedule(JSON.parse(specKey) as ScheduleDraft['spec']).then((r) => {
        if (!live) return;
        setPreview(r.ok ? r.preview : null);
        setTimingError(r.ok ? null : r.error);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [specKey, previewSchedule]);

  const save = async () => {
    setSaving(true);
    const budget = form.budgetTokens.trim() ? Number(form.budgetTokens) : null;
    const spec = specOf(form);
    // An edit that leaves the timing as it was keeps counting from where it did.
    const sameTiming = schedule !== null && JSON.stringify(specOf(formFrom(schedule))) === JSON.stringify(spec);
    const draft: SchedulePatchDraft = { name: form.name, prompt: form.prompt, ...(sameTiming ? {} : { spec }), missed: form.missed, overlap: form.overlap, memory: form.memory, model: form.model.trim() || null, budgetTokens: budget, notify: { onSuccess: form.notifyOnSuccess, onFailure: form.notifyOnFailure } };
    const error = await saveSchedule(draft, schedule?.id);
    setSaving(false);
    setSaveError(error);
    if (!error) onDone();
  };

  const field = (id: string) => `${ids}-${id}`;
  return (
    <form
      className="schedule-editor"
      aria-label={schedule ? `Edit ${schedule.name}` : 'New schedule'}
      data-testid="schedule-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{schedule ? `Edit ${schedule.name}` : 'New schedule'}</h2>
      <div className="schedule-grid">
        <label htmlFor={field('name')}>Name</label>
        <input id={field('name')} value={form.name} onChange={(e) => set('name', e.target.value)} data-testid="schedule-name" required />
        <label htmlFor={field('prompt')}>Prompt</label>
        <textarea id={field('prompt')} value={form.prompt} onChange={(e) => set('prompt', e.target.value)} rows={3} data-testid="schedule-prompt" required />
        <label htmlFor={field('kind')}>Runs</label>
        <select id={field('kind')} value={form.kind} onChange={(e) => set('kind', e.target.value as Kind)} data-testid="schedule-kind">
          <option value="daily">Every day at a time</option>
          <option value="interval">Every so often</option>
          <option value="cron">On a cron expression</option>
          <option value="once">Once</option>
        </select>
        {form.kind === 'interval' ? (
          <>
            <label htmlFor={field('every')}>Every</label>
            <span className="schedule-inline">
              <input id={field('every')} type="number" min={1} value={form.every} onChange={(e) => set('every', e.target.value)} data-testid="schedule-every" />
              <select aria-label="Unit" value={form.unit} onChange={(e) => set('unit', e.target.value as Unit)} data-testid="schedule-unit">
                {(Object.keys(UNIT_SECONDS) as Unit[]).map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            </span>
          </>
        ) : null}
        {form.kind === 'daily' ? (
          <>
            <label htmlFor={field('time')}>At</label>
            <input id={field('time')} type="time" value={form.time} onChange={(e) => set('time', e.target.value)} data-testid="schedule-time" />
            <span className="schedule-label" id={field('days')}>
              On
            </span>
            <fieldset className="schedule-days" aria-labelledby={field('days')}>
              {WEEKDAYS.map((d) => (
                <label key={d}>
                  <input
                    type="checkbox"
                    checked={form.days.includes(d)}
                    onChange={(e) => set('days', e.target.checked ? WEEKDAYS.filter((x) => x === d || form.days.includes(x)) : form.days.filter((x) => x !== d))}
                    data-testid={`schedule-day-${d}`}
                  />
                  {DAY_LABELS[d]}
                </label>
              ))}
              <span className="muted">{form.days.length ? '' : '(none ticked: every day)'}</span>
            </fieldset>
          </>
        ) : null}
        {form.kind === 'cron' ? (
          <>
            <label htmlFor={field('expr')}>Expression</label>
            <input id={field('expr')} value={form.expr} onChange={(e) => set('expr', e.target.value)} className="mono" spellCheck={false} data-testid="schedule-cron" aria-invalid={timingError ? true : undefined} />
          </>
        ) : null}
        {form.kind === 'once' ? (
          <>
            <label htmlFor={field('at')}>At</label>
            <input id={field('at')} type="datetime-local" value={form.at.slice(0, 16)} onChange={(e) => set('at', e.target.value)} data-testid="schedule-at" />
          </>
        ) : null}
        {form.kind !== 'interval' ? (
          <>
            <label htmlFor={field('zone')}>Time zone</label>
            <input id={field('zone')} value={form.timeZone} onChange={(e) => set('timeZone', e.target.value)} placeholder="this computer's (e.g. Europe/Berlin)" data-testid="schedule-zone" />
          </>
        ) : null}
      </div>

      <div className="schedule-preview" aria-live="polite" data-testid="schedule-preview">
        {timingError ? (
          <p className="error-text" data-testid="schedule-timing-error">
            {timingError}
          </p>
        ) : preview ? (
          <>
            <p className="schedule-description" data-testid="schedule-description">
              Runs {preview.description}.
            </p>
            {preview.warning ? (
              <p className="schedule-warning" role="note" data-testid="schedule-warning">
                {preview.warning}
              </p>
            ) : null}
            {preview.next.length ? (
              <>
                <p className="muted">Next {preview.next.length === 1 ? 'time' : `${preview.next.length} times`}, in this computer&apos;s time:</p>
                <ol className="schedule-next" data-testid="schedule-next">
                  {preview.next.map((iso) => (
                    <li key={iso}>
                      <time dateTime={iso}>{formatWhen(Date.parse(iso))}</time>
                    </li>
                  ))}
                </ol>
              </>
            ) : null}
          </>
        ) : null}
      </div>

      <fieldset className="schedule-notify" aria-describedby={field('notify-note')}>
        <legend>Notifications</legend>
        <label>
          <input type="checkbox" checked={form.notifyOnSuccess} onChange={(e) => set('notifyOnSuccess', e.target.checked)} data-testid="schedule-notify-success" />
          Notify me when a run succeeds
        </label>
        <label>
          <input type="checkbox" checked={form.notifyOnFailure} onChange={(e) => set('notifyOnFailure', e.target.checked)} data-testid="schedule-notify-failure" />
          Notify me when a run fails
        </label>
        <p className="muted" id={field('notify-note')}>
          Either way, a schedule that pauses itself after failing several times in a row tells you.
        </p>
      </fieldset>

      <details className="schedule-more">
        <summary>When slots are missed or overlap, memory, model and budget</summary>
        <div className="schedule-grid">
          <label htmlFor={field('missed')}>Missed slots (app closed, machine asleep)</label>
          <select id={field('missed')} value={form.missed} onChange={(e) => set('missed', e.target.value as MissedPolicy)} data-testid="schedule-missed">
            <option value="skip">Record them and wait for the next</option>
            <option value="run_once">Run once to catch up</option>
            <option value="run_all">Run each of them (up to 10)</option>
          </select>
          <label htmlFor={field('overlap')}>A slot while the last run still goes</label>
          <select id={field('overlap')} value={form.overlap} onChange={(e) => set('overlap', e.target.value as OverlapPolicy)} data-testid="schedule-overlap">
            <option value="skip">Skip it (recorded)</option>
            <option value="queue_one">Run it when the last run ends</option>
          </select>
          <label htmlFor={field('memory')}>Memory</label>
          <select id={field('memory')} value={form.memory} onChange={(e) => set('memory', e.target.value as MemoryAccess)} data-testid="schedule-memory">
            <option value="none">No memory</option>
            <option value="read">Read memory</option>
            <option value="read_write">Read and save memories</option>
          </select>
          <label htmlFor={field('model')}>Model</label>
          <input id={field('model')} value={form.model} onChange={(e) => set('model', e.target.value)} placeholder="the scheduled prompts' model (Settings)" data-testid="schedule-model" />
          <label htmlFor={field('budget')}>Token budget per run</label>
          <input id={field('budget')} type="number" min={1} value={form.budgetTokens} onChange={(e) => set('budgetTokens', e.target.value)} placeholder="the settings' budget" data-testid="schedule-budget" />
        </div>
      </details>

      {saveError ? (
        <p className="error-text" role="alert" data-testid="schedule-save-error">
          {saveError}
        </p>
      ) : null}
      <div className="schedule-actions">
        <button type="submit" className="primary" disabled={saving || !form.name.trim() || !form.prompt.trim() || !!timingError} data-testid="schedule-save">
          {schedule ? 'Save' : 'Create'}
        </button>
        <button type="button" onClick={onDone} data-testid="schedule-cancel">
          Cancel
        </button>
      </div>
    </form>
  );
}
