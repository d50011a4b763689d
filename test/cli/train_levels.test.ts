// A text column with more levels than the cap is refused, and --max-levels raises the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run.js';

test('htaf train refuses a 1,200-level text column unless --max-levels allows it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-levels-'));
  try {
    const file = join(dir, 'levels.csv');
    const lines = ['code,x,y'];
    for (let i = 0; i < 1200; i++) lines.push(`c${i % 1100},${(i % 7) / 7},${i % 2 ? 'yes' : 'no'}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const refused = runCli(['train', '--data', file, '--target', 'y', '--epochs', '1', '--hidden', '4']);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /levels\.csv/);
    assert.match(refused.stderr, /code/);
    assert.match(refused.stderr, /max-?levels/i);
    const allowed = runCli(['train', '--data', file, '--target', 'y', '--epochs', '1', '--hidden', '4', '--max-levels', '2000', '--json']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.ok(JSON.parse(allowed.stdout.trim().split('\n').pop()!).test);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
