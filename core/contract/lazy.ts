/**
 * A record whose entries are built on first read, then kept. The contract's tables (`COMMANDS`,
 * `EVENT_DATA`) are records of zod schemas, and building every schema when the contract is imported
 * was most of the time a process took to start; now a command's schemas are built when the command
 * is first called, an event's when it is first appended or read.
 *
 * Each capability's table is a record of builders (`{ 'mcp.add': () => ({ args, result }) }`),
 * spread into the table here: spreading builders builds nothing. The keys are known at once
 * (`Object.keys`, `in`), only the values wait.
 */
export function lazyEntries<T extends Record<string, unknown>>(builders: { readonly [K in keyof T]: () => T[K] }): { readonly [K in keyof T]: T[K] } {
  const table = {} as T;
  for (const key of Object.keys(builders) as (keyof T & string)[]) {
    let built: { value: T[typeof key] } | null = null;
    Object.defineProperty(table, key, {
      enumerable: true,
      get: () => (built ??= { value: builders[key]() }).value,
    });
  }
  return Object.freeze(table);
}
