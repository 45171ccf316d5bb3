export interface SystemPromptInput {
  now: number;
  timeZone: string;
  /** Sections later capabilities add: skills index, permission summary, retrieved memory. */
  sections?: { title: string; body: string }[];
}

// A formatter costs more to build than the rest of a prompt; one per zone is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The system prompt: who the assistant is, today's date, and what capabilities contribute. */
export function buildSystemPrompt(input: SystemPromptInput): string {
  let format = formatters.get(input.timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone: input.timeZone });
    formatters.set(input.timeZone, format);
  }
  const date = format.format(new Date(input.now));
  const parts = [
    'You are Agent Blob, a personal assistant running on the user\'s own computer. ' +
      'You keep one ongoing conversation with one person. Be direct and concise; say so when you do not know.',
    `Current date and time: ${date} (${input.timeZone}).`,
  ];
  for (const section of input.sections ?? []) parts.push(`## ${section.title}\n${section.body}`);
  return parts.join('\n\n');
}
