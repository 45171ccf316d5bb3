/**
 * `node dist/cli/word-vectors.js` (scripts/build-cli.mjs runs it at `npm install` and `npm run
 * build`): converts the word vectors into dist/vectors/ unless the file is there.
 */
export { installWordVectors } from './index.js';
