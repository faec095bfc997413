export type KeyringOp =
  | { op: 'get'; account: string }
  | { op: 'set'; account: string; secret: string }
  | { op: 'delete'; account: string };
/** get → string | null (null: no such entry); set → undefined; delete → boolean (false: there was none). */
export type KeyringResult = string | null | boolean | undefined;

/** One line of the helper's stdout (worker-source.ts), checked, not trusted. */
export type Answer =
  | { ok: true; result: KeyringResult }
  | { ok: false; error: string; load: boolean }
  | { garbage: string };

export function readAnswer(op: KeyringOp | undefined, line: string): Answer {
  let answer: { ok?: unknown; value?: unknown; error?: unknown; load?: unknown };
  try {
    answer = JSON.parse(line);
  } catch {
    return { garbage: 'a line that is not JSON' };
  }
  if (!op) return { garbage: 'more answers than there were operations' };
  if (answer?.ok === false && typeof answer.error === 'string') {
    return { ok: false, error: answer.error, load: answer.load === true };
  }
  if (answer?.ok !== true) return { garbage: 'a line that is neither a result nor an error' };
  const { value } = answer;
  if (op.op === 'get' && (typeof value === 'string' || value === null)) return { ok: true, result: value };
  if (op.op === 'set' && value === null) return { ok: true, result: undefined };
  if (op.op === 'delete' && typeof value === 'boolean') return { ok: true, result: value };
  return { garbage: `a ${op.op} that returned ${value === null ? 'null' : typeof value}` };
}
