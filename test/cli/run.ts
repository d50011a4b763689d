// Runs a command of this package in a child process, as a user would.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../../..');

export function runNode(args: string[], timeoutMs = 120_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runCli(args: string[], timeoutMs?: number) {
  return runNode([join(ROOT, 'bin/htaf.js'), ...args], timeoutMs);
}
