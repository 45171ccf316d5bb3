import { useState, type InputHTMLAttributes, type ReactNode } from 'react';
import type { z } from 'zod';

/** Problems with a change, by field (the path of the value in the change, dotted: `budgets.runTokens`). */
export type FieldProblems = Record<string, string>;

/**
 * Checks a settings change against the same contract schema the app checks it with, before it is
 * sent, and says what is wrong with each field in plain words. Null when the change is fine.
 */
export function problemsOf(schema: z.ZodType, patch: unknown): FieldProblems | null {
  const parsed = schema.safeParse(patch);
  if (parsed.success) return null;
  const problems: FieldProblems = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.');
    problems[field] ??= plainIssue(issue);
  }
  return problems;
}

/** One schema problem as a sentence a person can act on, never zod's wording. */
export function plainIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int') return 'Write a whole number.';
      if (issue.expected === 'number') return 'Write a number.';
      return 'This value is not accepted here.';
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string' || issue.origin === 'array') return 'This cannot be empty.';
      return issue.inclusive === false ? `Write a number above ${min}.` : `Write a number of ${min} or more.`;
    }
    case 'too_big': {
      if (issue.origin === 'string') return `This is too long (at most ${Number(issue.maximum)} characters).`;
      if (issue.origin === 'array') return `At most ${Number(issue.maximum)} entries.`;
      return `Write a number of ${Number(issue.maximum)} or less.`;
    }
    case 'invalid_format':
      if (issue.format === 'url') return 'Write a web address, starting with http:// or https://.';
      // The contract's own messages for patterns are already written for people.
      return issue.message && !/^Invalid/.test(issue.message) ? capitalise(issue.message) : 'This is not written the way it should be.';
    case 'not_multiple_of':
      return 'Write a whole number.';
    default:
      return issue.message && !/^Invalid/.test(issue.message) ? capitalise(issue.message) : 'This value is not accepted here.';
  }
}

function capitalise(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** A field's text as a number for a change: empty is null (no limit), anything else Number() of it (NaN stays, so the check names it). */
export function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text.trim());
}

/** The problem named for a field, or for a value inside it (`routes.chat` covers `routes.chat.2`). */
export function problemFor(problems: FieldProblems, field: string): string | undefined {
  if (problems[field]) return problems[field];
  const key = Object.keys(problems).find((k) => k.startsWith(`${field}.`));
  return key ? problems[key] : undefined;
}

export type SaveStatus = { kind: 'saved' } | { kind: 'error'; message: string } | null;

/**
 * Saving one section of Settings: the change is checked against the contract first and each field
 * says what is wrong with it; what the app answers (saved, or why not) shows beside the section's
 * button, not at the top of the page.
 */
export function useSectionSave<P>(schema: z.ZodType, save: (patch: P) => Promise<string | null>) {
  const [problems, setProblems] = useState<FieldProblems>({});
  const [status, setStatus] = useState<SaveStatus>(null);
  const submit = async (patch: P): Promise<boolean> => {
    const found = problemsOf(schema, patch);
    if (found) {
      setProblems(found);
      setStatus(null);
      return false;
    }
    setProblems({});
    const error = await save(patch);
    setStatus(error ? { kind: 'error', message: error } : { kind: 'saved' });
    return !error;
  };
  /** What is wrong with a field (or a value inside it) after the last try, for its `Field`. */
  const problem = (field: string) => problemFor(problems, field);
  return { problems, problem, status, submit, setProblems, clear: () => setStatus(null) };
}

/**
 * One form of a Settings section: its fields, the save button, anything that goes beside it (remove,
 * test connection) and what became of the last save. `grid` lays the fields out in columns with the
 * button on a line of its own; otherwise they flow in a row (`settings-row`) or as `className` says.
 */
export function SaveForm(props: {
  form: { status: SaveStatus };
  onSave(): unknown;
  saveLabel: string;
  saveTestId?: string;
  saveDisabled?: boolean;
  statusTestId?: string;
  grid?: boolean;
  className?: string;
  testId?: string;
  beside?: ReactNode;
  children: ReactNode;
}) {
  const actions = (
    <>
      <button type="submit" disabled={props.saveDisabled} data-testid={props.saveTestId}>
        {props.saveLabel}
      </button>{' '}
      {props.beside}
      <SaveStatusText status={props.form.status} testId={props.statusTestId} />
    </>
  );
  return (
    <form
      className={props.grid ? 'settings-grid' : (props.className ?? 'settings-row')}
      data-testid={props.testId}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave();
      }}
    >
      {props.children}
      {props.grid ? <div className="settings-actions">{actions}</div> : actions}
    </form>
  );
}

/** "Saved" or why not, beside a section's button; announced to screen readers. */
export function SaveStatusText({ status, testId }: { status: SaveStatus; testId?: string }) {
  if (!status) return null;
  return status.kind === 'saved' ? (
    <span className="settings-ok" role="status" data-testid={testId}>
      Saved.
    </span>
  ) : (
    <span className="field-problem" role="alert" data-testid={testId}>
      Not saved: {status.message}
    </span>
  );
}

/**
 * A labelled input with its problem under it. `field` names it for links into Settings
 * (`settings-<field>` is its id), for tests (its `data-testid`) and for its problem text (`problem-<field>`).
 */
export function Field({ field, label, problem, hint, ...input }: { field: string; label: ReactNode; problem?: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = `settings-${field}`;
  const described = [problem ? `${id}-problem` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`settings-field${problem ? ' settings-field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} data-testid={field} aria-invalid={problem ? true : undefined} aria-describedby={described} {...input} />
      {hint ? (
        <span id={`${id}-hint`} className="settings-hint">
          {hint}
        </span>
      ) : null}
      {problem ? (
        <span id={`${id}-problem`} className="field-problem" data-testid={`problem-${field}`}>
          {problem}
        </span>
      ) : null}
    </div>
  );
}

/**
 * A checkbox for a setting the core stores: it follows the click at once and is `aria-busy` until
 * the save ends; then it shows what the core has (the old value again if the save was refused).
 */
export function SavedCheckbox({ checked, onSave, ...input }: { checked: boolean; onSave(checked: boolean): Promise<unknown> } & Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'checked' | 'onChange'>) {
  const [pending, setPending] = useState<boolean | null>(null);
  return (
    <input
      {...input}
      type="checkbox"
      checked={pending ?? checked}
      aria-busy={pending !== null}
      onChange={(e) => {
        const next = e.target.checked;
        setPending(next);
        void onSave(next).finally(() => setPending(null));
      }}
    />
  );
}
