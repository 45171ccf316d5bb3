// JSON Schema for tool arguments: MCP tools bring one, and a replayed run checks calls against the one it recorded.
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { loadPackage, requirePackage, type PackageLoader } from '../util/index.js';

// ajv (with its dependencies, a quarter of the host's code) is loaded when the first schema is
// compiled (an MCP server's tools, a replayed MCP call), not at every start.

// Schemas from servers use keywords and formats of their own: unknown ones are ignored rather than
// refused (as the MCP SDK does), and a schema is not checked against its meta-schema.
const options = { strict: false, validateFormats: false, validateSchema: false, allErrors: true } as const;
let draft7: Ajv | null = null;
let draft2020: Ajv2020 | null = null;

/** A compiled input schema, or why it cannot be used. */
export type CompiledSchema = { ok: true; validate: ValidateFunction } | { ok: false; problem: string };

/**
 * Compiles a tool's `inputSchema` with ajv: JSON Schema 2020-12 (MCP's default dialect) unless the
 * schema names an older draft. A schema that does not describe an object, or does not compile, is a
 * problem: the tool is listed but not offered, since its arguments could not be checked. ajv failing
 * to load is not the schema's problem: it throws a `PackageLoadError` (`load`: tests inject a
 * failing one).
 */
export function compileInputSchema(schema: Record<string, unknown>, load: PackageLoader = requirePackage): CompiledSchema {
  if (schema.type !== undefined && schema.type !== 'object') return { ok: false, problem: `its input schema describes ${JSON.stringify(schema.type)}, not an object` };
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const { $schema: _ignored, $id: _id, ...rest } = schema;
  const ajv = /draft-0[4-7]/.test(dialect) ? draft7Ajv(load) : draft2020Ajv(load);
  try {
    return { ok: true, validate: ajv.compile(rest) };
  } catch (err) {
    return { ok: false, problem: `its input schema cannot be checked: ${(err as Error).message.slice(0, 300)}` };
  }
}

/** The draft-07 validator; built once with the app's own ajv (an injected loader gets a fresh one). */
function draft7Ajv(load: PackageLoader): Ajv {
  if (load === requirePackage && draft7) return draft7;
  const ajv = new (loadPackage<typeof import('ajv')>('ajv', load).Ajv)(options);
  if (load === requirePackage) draft7 = ajv;
  return ajv;
}

/** The JSON Schema 2020-12 validator, the same way. */
function draft2020Ajv(load: PackageLoader): Ajv2020 {
  if (load === requirePackage && draft2020) return draft2020;
  const ajv = new (loadPackage<typeof import('ajv/dist/2020.js')>('ajv/dist/2020.js', load).Ajv2020)(options);
  if (load === requirePackage) draft2020 = ajv;
  return ajv;
}

/** Where each ajv error is (a path of property names and indexes) and what it says. */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined): { path: string[]; message: string }[] {
  return (errors ?? []).slice(0, 5).map((e) => {
    const path = e.instancePath ? e.instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')) : [];
    if (e.keyword === 'additionalProperties') return { path, message: `unknown property ${JSON.stringify((e.params as { additionalProperty?: string }).additionalProperty)}` };
    if (e.keyword === 'enum') return { path, message: `must be one of ${JSON.stringify((e.params as { allowedValues?: unknown[] }).allowedValues)}` };
    return { path, message: e.message ?? e.keyword };
  });
}

/**
 * The argument schema the agent loop validates a call with before the gate and before the server:
 * an object checked by the tool's own JSON Schema. Failures read as `path: message`.
 */
export function argsSchemaFor(validate: ValidateFunction): z.ZodType<Record<string, unknown>> {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    if (validate(value)) return;
    for (const issue of describeAjvErrors(validate.errors)) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  });
}
