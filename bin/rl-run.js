#!/usr/bin/env node
// Entry point of the `rl-run` command: the compiled CLI (built to dist/ by `npm run build`,
// which `npm ci` runs through the `prepare` script).
'use strict';
const path = require('path');
const fs = require('fs');
const cli = path.join(__dirname, '..', 'dist', 'runners', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('rl-run: error: dist/ is missing; run `npm run build` (or `npm ci`) first\n');
  process.exit(1);
}
const { main, endProcess } = require(cli);
main(process.argv.slice(2)).then(
  // endProcess: a run stopped by Ctrl-C ends as if killed by it (exit status 130), see runners/stop-signals.ts.
  (code) => process.stdout.write('', () => endProcess(code)),
  (e) => {
    process.stderr.write(`rl-run: error: ${e && e.message ? String(e.message).split('\n')[0] : String(e)}\n`);
    process.exit(1);
  },
);
