// `htaf activations [SPEC...]`: the activation registry from the command line. Without arguments it lists
// every activation with its parameters; with specs it checks each and prints its canonical form, so a
// spec for a config file or a later command can be tried out first.
import type { Command } from 'commander';
import { activationHelp, activationSpec, listActivations, parseActivation } from '../activations/index.js';

export function registerActivations(program: Command): void {
  program
    .command('activations')
    .description('list the activations and their spec syntax, or check specs (e.g. "htaf:alpha=2,beta=11")')
    .argument('[specs...]', 'activation specs to check')
    .option('--json', 'print JSON')
    .action((specs: string[], o: { json?: boolean }) => {
      if (specs.length === 0) {
        console.log(o.json ? JSON.stringify(listActivations()) : activationHelp());
        return;
      }
      const canonical = specs.map((s) => {
        const m = parseActivation(s);
        try {
          return { spec: s, canonical: activationSpec(m) };
        } finally {
          m.dispose();
        }
      });
      if (o.json) console.log(JSON.stringify(canonical));
      else for (const c of canonical) console.log(`${c.spec} -> ${c.canonical}`);
    });
}
