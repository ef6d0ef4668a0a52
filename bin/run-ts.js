// Runs a TypeScript entry point of this package through tsx, so `npx <bin>` works after `npm ci`
// with no build step. Entry points export `main(argv)`.
'use strict';
const path = require('node:path');
require('tsx/cjs');

module.exports = function runTs(relativeEntry) {
  const mod = require(path.join(__dirname, '..', relativeEntry));
  Promise.resolve(mod.main(process.argv.slice(2))).then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
};
