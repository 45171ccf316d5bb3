import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ATTACHMENT_LIMITS } from '../../core/contract/index.js';
import { composerFiles, NO_FILES, type ComposerFiles, type PendingAttachment, type ReadFile } from '../../renderer/components/attachments.js';

function file(name: string, size = 10): ReadFile {
  const attachment: PendingAttachment = { key: `key-${name}`, name, mediaType: 'text/plain', data: 'aGk=', size, preview: null };
  return { file: attachment };
}
const names = (state: ComposerFiles) => state.files.map((f) => f.name);

test('files picked and dropped at the same time are both kept, in the order added, whichever read ends first', () => {
  const start = composerFiles(NO_FILES, { type: 'read', results: [file('already.md')], added: 0 });
  // Both reads began from the same list; each is applied to the list as it is when it ends.
  const picked = { type: 'read', results: [file('picked.png')], added: 1 } as const;
  const dropped = { type: 'read', results: [file('dropped-1.md'), file('dropped-2.md')], added: 2 } as const;
  const order = ['already.md', 'picked.png', 'dropped-1.md', 'dropped-2.md'];
  assert.deepEqual(names(composerFiles(composerFiles(start, picked), dropped)), order);
  assert.deepEqual(names(composerFiles(composerFiles(start, dropped), picked)), order, 'a photo read after a note added later still comes first');
});

test('the message limits count files added by another read meanwhile', () => {
  const max = ATTACHMENT_LIMITS.maxCount;
  const picked = Array.from({ length: max - 1 }, (_, i) => file(`picked-${i}.md`));
  let state = composerFiles(NO_FILES, { type: 'read', results: picked });
  state = composerFiles(state, { type: 'read', results: [file('dropped-1.md'), file('dropped-2.md')] });
  assert.equal(state.files.length, max);
  assert.deepEqual(state.errors, [`dropped-2.md was not added: a message can carry at most ${max} files.`]);

  const big = Math.floor(ATTACHMENT_LIMITS.maxTotalBytes / 2) + 1;
  state = composerFiles(NO_FILES, { type: 'read', results: [file('first.png', big)] });
  state = composerFiles(state, { type: 'read', results: [file('second.png', big), file('small.md', 5)] });
  assert.deepEqual(names(state), ['first.png', 'small.md']);
  assert.equal(state.errors.length, 1);
  assert.match(state.errors[0], /^second\.png \(.*\) does not fit: a message can carry up to/);
});

test('a refused file says why in file order; removing one file and clearing after sending leave the rest as they should', () => {
  let state = composerFiles(NO_FILES, { type: 'read', results: [file('a.md'), { error: 'movie.mp4 cannot be attached' }, file('b.md')] });
  assert.deepEqual(names(state), ['a.md', 'b.md']);
  assert.deepEqual(state.errors, ['movie.mp4 cannot be attached']);
  state = composerFiles(state, { type: 'remove', key: 'key-a.md' });
  assert.deepEqual(names(state), ['b.md']);
  assert.deepEqual(state.errors, ['movie.mp4 cannot be attached'], 'removing a file keeps the last message');
  state = composerFiles(state, { type: 'failed', message: 'The files were not added: boom' });
  assert.deepEqual(names(state), ['b.md'], 'a failed read keeps what was attached');
  assert.deepEqual(state.errors, ['The files were not added: boom']);
  assert.deepEqual(composerFiles(state, { type: 'clear' }), NO_FILES);
});
