// Argument checks shared by the metrics: each error names the metric and the argument.
export function checkValues(where: string, name: string, values: ArrayLike<number>): void {
  if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
    throw new Error(`${where}: ${name} must be an array or typed array of numbers; got ${values === null ? 'null' : typeof values}`);
  }
}

export function checkSameLength(where: string, a: ArrayLike<number>, an: string, b: ArrayLike<number>, bn: string): void {
  checkValues(where, an, a);
  checkValues(where, bn, b);
  if (a.length !== b.length) throw new Error(`${where}: ${an} has ${a.length} values but ${bn} has ${b.length}`);
  if (a.length === 0) throw new Error(`${where}: no values (${an} and ${bn} are empty)`);
}
