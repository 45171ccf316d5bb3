import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../../core/contract/index.js';
import { describeSpec } from '../../../core/scheduler/index.js';
import { compileInputSchema } from '../../../core/tools/index.js';
import { PackageLoadError, loadPackage, type PackageLoader } from '../../../core/util/index.js';

/** A loader whose packages are missing, as in a damaged installation; notes what was asked for. */
function missingPackages(): PackageLoader & { asked: string[] } {
  const asked: string[] = [];
  const load = (name: string) => {
    asked.push(name);
    throw Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/core/util/packages.js`), { code: 'MODULE_NOT_FOUND' });
  };
  return Object.assign(load, { asked });
}

const cron = (expr: string) => ({ kind: 'cron' as const, expr, timeZone: 'UTC' });

describe('packages loaded on first use', () => {
  it('a cron timing whose words package cannot load fails with its own unavailable error naming cronstrue, not as a cron wording', () => {
    const load = missingPackages();
    assert.throws(
      () => describeSpec(cron('0 9 * * 1-5'), 'UTC', load),
      (err: unknown) =>
        err instanceof PackageLoadError &&
        isAppError(err) &&
        err.code === 'unavailable' &&
        err.packageName === 'cronstrue' &&
        /^the cronstrue package could not be loaded \(Cannot find module 'cronstrue'\); reinstall the app/.test(err.message),
    );
    assert.deepEqual(load.asked, ['cronstrue']);
    // Loaded as installed, the same timing is put in words; one cronstrue cannot word is shown as written.
    assert.equal(describeSpec(cron('0 9 * * 1-5'), 'UTC'), 'at 09:00, Monday through Friday (UTC)');
    assert.equal(describeSpec(cron('61 9 * * *'), 'UTC'), 'cron "61 9 * * *" (UTC)');
    // Timings that need no package never ask for one.
    assert.equal(describeSpec({ kind: 'interval', everySeconds: 600 }, 'UTC', load), 'every 10 minutes');
    assert.deepEqual(load.asked, ['cronstrue']);
  });

  it('an input schema whose validator package cannot load fails with its own unavailable error naming ajv, while a bad schema stays a problem of the schema', () => {
    const load = missingPackages();
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    for (const [given, asked] of [
      [schema, 'ajv/dist/2020.js'],
      [{ ...schema, $schema: 'http://json-schema.org/draft-07/schema#' }, 'ajv'],
    ] as const) {
      assert.throws(
        () => compileInputSchema(given, load),
        (err: unknown) => err instanceof PackageLoadError && err.code === 'unavailable' && err.packageName === 'ajv' && err.message.startsWith('the ajv package could not be loaded'),
      );
      assert.equal(load.asked.at(-1), asked);
    }
    const compiled = compileInputSchema(schema);
    assert.ok(compiled.ok && compiled.validate({ city: 'Oslo' }) && !compiled.validate({}));
    const bad = compileInputSchema({ type: 'object', properties: { city: { type: 'no-such-type' } } });
    assert.ok(!bad.ok && bad.problem.startsWith('its input schema cannot be checked'), JSON.stringify(bad));
    assert.deepEqual(compileInputSchema({ type: 'array' }, load), { ok: false, problem: 'its input schema describes "array", not an object' });
  });

  it('a failed load is not kept: the next use tries again and gets the package', () => {
    let fail = true;
    const flaky: PackageLoader = (name) => {
      if (fail) throw new Error('EIO: i/o error, read');
      return { name };
    };
    assert.throws(() => loadPackage('cronstrue', flaky), (err: unknown) => err instanceof PackageLoadError && /\(EIO: i\/o error, read\)/.test(err.message));
    fail = false;
    assert.deepEqual(loadPackage('cronstrue', flaky), { name: 'cronstrue' });
  });
});
