// `htaf bench step|op|infer`: engine benchmarks that print one JSON line (issue 2; bench/RESULTS.md).
import { InvalidArgumentError, type Command } from 'commander';
import { benchOp } from '../bench/op.js';
import { SEW_NEURON_PATHS, benchStep } from '../bench/step.js';
import { STEP_DATA } from '../bench/step_batches.js';
import { isLauncher, joinGroup, launch } from './distributed_flags.js';
import { INFER_ENGINES, benchInfer } from '../bench/infer.js';
import { nonNegativeInt, oneOf, positiveInt, shapeList } from './options.js';

const ACTIVATIONS = ['relu', 'htaf', 'ss', 'ste'] as const;

function print(result: object, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(result));
  } else {
    for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(18)} ${Array.isArray(v) ? v.join(',') : v}`);
  }
}

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('time the engine (compare with bench/peer/*.py, the PyTorch peer)');

  bench
    .command('step')
    .description('training steps of the benchmark MLP, CNN, WideResNet or SEW-ResNet with Adam 1e-3')
    .option('--model <name>', 'mlp (45-256-256-128-1, MSE), cnn, wrn or sew (the SNN: SEW-ResNet, LIF, base width 16; 28x28x1, 10 classes, cross-entropy)', oneOf('--model', ['mlp', 'cnn', 'wrn', 'sew'] as const), 'mlp')
    .option('--depth <n>', 'wrn depth (6n+4); sew depth (10|18|34)', positiveInt('--depth'), 10)
    .option('--T <n>', 'sew: time steps', positiveInt('--T'), 4)
    .option('--neuron <path>', 'sew: the LIF time loop as the fused op (fused) or composed per step (composed, the reference)', oneOf('--neuron', SEW_NEURON_PATHS), 'fused')
    .option('--widen <n>', 'wrn widening factor k', positiveInt('--widen'), 2)
    .option('--activation <name>', ACTIVATIONS.join('|'), oneOf('--activation', ACTIVATIONS), 'relu')
    .option('--batch <n>', 'batch size (default 256 for mlp, 128 for cnn)', positiveInt('--batch'))
    .option('--steps <n>', 'timed steps', positiveInt('--steps'), 100)
    .option('--warmup <n>', 'untimed steps first', nonNegativeInt('--warmup'), 5)
    .option('--threads <n>', 'intra-op threads', positiveInt('--threads'), 2)
    .option('--seed <n>', 'seed', nonNegativeInt('--seed'), 0)
    .option('--data <kind>', `${STEP_DATA.join('|')}: one random batch, or consecutive Fashion-MNIST training images (cnn, wrn)`, oneOf('--data', STEP_DATA), 'random')
    .option('--nproc <n>', 'data-parallel: N worker processes (DistributedDataParallel over Gloo), --batch the global batch, --threads per process', positiveInt('--nproc'))
    .option('--json', 'print one JSON line')
    .action(async (o) => {
      const batch = o.batch ?? (o.model === 'mlp' ? 256 : 128);
      if (batch % (o.nproc ?? 1) !== 0) throw new InvalidArgumentError(`--batch ${batch} must be a multiple of the processes (${o.nproc})`);
      if (isLauncher(o)) return launch('htaf bench step', o);
      const group = joinGroup();
      const result = benchStep({ model: o.model, depth: o.depth, widen: o.widen, T: o.T, neuron: o.neuron, activation: o.activation, batch, steps: o.steps, warmup: o.warmup, threads: o.threads, seed: o.seed, data: o.data, group });
      if ((group?.rank ?? 0) === 0) print(result, !!o.json);
      group?.destroy();
    });

  bench
    .command('op')
    .description('forward + backward of one activation on a big float32 tensor')
    .option('--op <name>', ACTIVATIONS.join('|'), oneOf('--op', ACTIVATIONS), 'htaf')
    .option('--shape <dims>', 'tensor shape', shapeList('--shape'), [128, 64, 28, 28])
    .option('--steps <n>', 'timed repetitions', positiveInt('--steps'), 30)
    .option('--warmup <n>', 'untimed repetitions first', nonNegativeInt('--warmup'), 3)
    .option('--threads <n>', 'intra-op threads', positiveInt('--threads'), 2)
    .option('--json', 'print one JSON line')
    .action((o) => {
      print(benchOp({ op: o.op, shape: o.shape, steps: o.steps, warmup: o.warmup, threads: o.threads }), !!o.json);
    });

  bench
    .command('infer')
    .description('inference of an exported model (htaf export): the runtime\'s kernels, the same network in htaf\'s exact mode (libtorch), or its ONNX export in onnxruntime (wasm, one thread)')
    .requiredOption('--model <file>', 'a .htafb file')
    .option('--engine <name>', INFER_ENGINES.join('|'), oneOf('--engine', INFER_ENGINES), 'js')
    .option('--batch <n>', 'rows per batch', positiveInt('--batch'), 64)
    .option('--steps <n>', 'timed batches', positiveInt('--steps'), 200)
    .option('--warmup <n>', 'untimed batches first', nonNegativeInt('--warmup'), 20)
    .option('--threads <n>', "libtorch's intra-op threads (the js kernels use one)", positiveInt('--threads'), 1)
    .option('--seed <n>', 'seed of the input rows (tabular models; image models take the test images)', nonNegativeInt('--seed'), 0)
    .option('--run <dir>', 'libtorch: the run the model was exported from (default: the one the file names)')
    .option('--json', 'print one JSON line')
    .action(async (o) => {
      print(await benchInfer({ model: o.model, engine: o.engine, batch: o.batch, steps: o.steps, warmup: o.warmup, threads: o.threads, seed: o.seed, run: o.run }), !!o.json);
    });
}
