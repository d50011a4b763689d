// Resume after SIGKILL, per trainer, through the one run state (src/train/run_state.ts): `htaf train`
// (tabular), `htaf icbm train` (ICBM and its standard model) and `htaf gradients` (the gradient study)
// are killed once their first checkpoint is on disk, then resumed with --resume; the result equals an uninterrupted run's, bit for bit (images
// train has its own such test in images.test.ts, compare in compare.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './run.js';
import { writeTinyFashionMnist } from './icbm_data.js';

type Env = Record<string, string>;

function htaf(args: string[], env: Env = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/htaf.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `htaf args`, SIGKILLs it as soon as `checkpoint` exists, and waits for it to die. */
async function killAfterCheckpoint(args: string[], checkpoint: string, env: Env = {}): Promise<void> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/htaf.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      if (existsSync(checkpoint)) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve();
      } else if (Date.now() - t0 > 120_000) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`no ${checkpoint} within 120 s`));
      }
    }, 5);
  });
  assert.equal(await exited, null, 'killed before it finished');
}

/**
 * Runs `args` uninterrupted into <dir>/whole, then again into <dir>/cut killed once `checkpoint` (a path
 * inside cut) exists, then `beforeResume(cut)` (checks on the killed run), then resumed with --resume.
 * Both finished runs must succeed; returns their stdout and the cut folder.
 */
async function wholeAndResumed(dir: string, args: string[], checkpoint: string[], env: Env = {}, beforeResume?: (cut: string) => void) {
  const whole = htaf([...args, '--out', join(dir, 'whole'), '--json'], env);
  assert.equal(whole.status, 0, whole.stderr);
  const cut = join(dir, 'cut');
  await killAfterCheckpoint([...args, '--out', cut], join(cut, ...checkpoint), env);
  beforeResume?.(cut);
  const resumed = htaf([...args, '--out', cut, '--resume', '--json'], env);
  assert.equal(resumed.status, 0, resumed.stderr);
  return { whole: whole.stdout, resumed: resumed.stdout, cut };
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);
const withoutSeconds = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (/seconds|PerSecond/i.test(k) ? undefined : x)));

test('htaf train: killed (SIGKILL) after its first checkpoint, --resume gives the uninterrupted result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-kill-train-'));
  try {
    const args = ['train', '--data', 'churn', '--hidden', '32,32', '--epochs', '12', '--batch', '32', '--lr', '0.003', '--patience', '0', '--seed', '5'];
    const { whole, resumed } = await wholeAndResumed(dir, args, ['checkpoint.safetensors']);
    const a = lastJson(whole);
    const b = lastJson(resumed);
    assert.ok(b.epochsRun === 12 && a.epochsRun === 12);
    const comparable = (r: Record<string, unknown>) => withoutSeconds({ ...r, checkpoint: undefined });
    assert.deepEqual(comparable(b), comparable(a));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('htaf icbm train: killed (SIGKILL) after its first checkpoint, --resume gives the uninterrupted metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-kill-icbm-'));
  try {
    const data = join(dir, 'fm');
    writeTinyFashionMnist(data, { train: 300, t10k: 60 });
    const env = { HTAF_FASHION_MNIST_DIR: data };
    const args = ['icbm', 'train', '--dataset', 'fashion-mnist', '--backbone', 'wrn', '--depth', '10', '--width', '1', '--base-width', '4', '--concepts', '8',
      '--epochs', '6', '--batch', '16', '--lr', '0.02', '--seed', '1'];
    const { whole, resumed, cut } = await wholeAndResumed(dir, args, ['icbm', 'checkpoint.safetensors'], env);
    assert.deepEqual(lastJson(resumed), lastJson(whole));
    const history = (d: string) => JSON.parse(readFileSync(join(dir, d, 'run.json'), 'utf8'));
    assert.ok(existsSync(join(cut, 'run.json')));
    assert.deepEqual(withoutSeconds(history('cut')).metrics, withoutSeconds(history('whole')).metrics);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('htaf gradients: killed (SIGKILL) after its first checkpoint, --resume gives the uninterrupted study', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-kill-gradients-'));
  try {
    const args = ['gradients', '--data', 'churn', '--methods', 'relu', 'htaf:alpha=11,beta=2', '--hidden', '16,16', '--epochs', '6', '--batch', '32', '--seed', '2', '--quiet'];
    const { whole, resumed, cut } = await wholeAndResumed(dir, args, ['checkpoints', '16-16_relu', 'checkpoint.safetensors'], {}, (killed) => {
      const refused = htaf([...args, '--out', killed, '--json']);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /holds an interrupted study .*add --resume/);
    });
    const runs = (stdout: string) => withoutSeconds(lastJson(stdout).runs);
    assert.deepEqual(runs(resumed), runs(whole));
    assert.ok(!existsSync(join(cut, 'checkpoints')), 'the checkpoints go once the study is written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
