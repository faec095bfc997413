import { validateHeaderName, validateHeaderValue } from 'node:http';

/**
 * A canned failure for the next matching request(s), answered before normal handling. Paths under
 * /emulator/ never match, so a broad fault cannot lock tests out of the admin endpoints.
 */
export interface FaultSpec {
  /** Exact pathname (no query), or a prefix ending in '*': '/api/*', '/oauth/token', '*'. */
  path: string;
  /** 200-599; ignored with dropConnection. */
  status: number;
  /** How many matching requests it answers; default 1. */
  times?: number;
  /** Added to (and overriding, case-insensitively) the defaults for the status. */
  headers?: Record<string, string>;
  /** Default: Pipedrive's JSON error for the status, e.g. 429 → "Rate limit exceeded". */
  body?: string;
  /** Wait this long (at most MAX_FAULT_DELAY_MS) before answering or dropping. */
  delayMs?: number;
  /** Destroy the socket without any answer, so the client sees a network error. */
  dropConnection?: boolean;
}

/** A validated spec; `times` counts down as it is used. */
export type PendingFault = FaultSpec & { times: number };

/** Long enough for any client timeout test; short enough that a typo does not hang a run. */
export const MAX_FAULT_DELAY_MS = 60_000;

const KEYS = new Set(['path', 'status', 'times', 'headers', 'body', 'delayMs', 'dropConnection']);

/** Bad input to injectFaults or POST /emulator/faults; the message names the field. */
export class FaultSpecError extends Error {}

/** Checks untrusted input (JSON from HTTP, or a test's objects) and returns normalized copies. */
export function parseFaults(input: unknown): PendingFault[] {
  if (!Array.isArray(input)) throw new FaultSpecError('Expected an array of fault specs');
  return input.map((item: unknown, index) => parseFault(item, `fault ${index}`));
}

function parseFault(item: unknown, at: string): PendingFault {
  if (typeof item !== 'object' || item === null) throw new FaultSpecError(`${at}: must be an object`);
  const spec = item as Record<string, unknown>;
  const unknownKey = Object.keys(spec).find((key) => !KEYS.has(key));
  if (unknownKey !== undefined) throw new FaultSpecError(`${at}: unknown field '${unknownKey}'`);
  const check = (ok: boolean, field: string, rule: string) => {
    if (!ok) throw new FaultSpecError(`${at}: ${field} must be ${rule}`);
  };
  const { path, status, times = 1, headers = {}, body, delayMs = 0, dropConnection = false } = spec;
  check(typeof path === 'string' && (path.startsWith('/') || path === '*'), 'path', "'/…' or '*'");
  check(
    Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599,
    'status',
    '200-599',
  );
  check(Number.isSafeInteger(times) && (times as number) >= 1, 'times', 'a positive integer');
  check(body === undefined || typeof body === 'string', 'body', 'a string');
  const delayOk = typeof delayMs === 'number' && delayMs >= 0 && delayMs <= MAX_FAULT_DELAY_MS;
  check(delayOk, 'delayMs', `0-${MAX_FAULT_DELAY_MS}`);
  check(typeof dropConnection === 'boolean', 'dropConnection', 'a boolean');
  check(typeof headers === 'object' && headers !== null && !Array.isArray(headers), 'headers', 'an object');
  const cleanHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as object)) {
    check(typeof value === 'string' && validHeader(name, value), `header '${name}'`, 'a valid header');
    cleanHeaders[name.toLowerCase()] = value as string;
  }
  const fault: PendingFault = {
    path: path as string,
    status: status as number,
    times: times as number,
    headers: cleanHeaders,
    delayMs: delayMs as number,
    dropConnection: dropConnection as boolean,
  };
  if (body !== undefined) fault.body = body as string;
  return fault;
}

/** Node's own checks, so a bad header fails at injection rather than as a 500 mid-test. */
function validHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

/** Pending faults, in injection order; each counts down its `times`. */
export class FaultQueue {
  private faults: PendingFault[] = [];

  /** Validates all before adding any, so a bad list changes nothing. */
  add(input: unknown): void {
    this.faults.push(...parseFaults(input));
  }

  clear(): void {
    this.faults = [];
  }

  /** Copies, with `times` as what is left. */
  list(): FaultSpec[] {
    return this.faults.map((fault) => ({ ...fault, headers: { ...fault.headers } }));
  }

  /** The first pending fault for this path, consumed by one use. */
  take(pathname: string): FaultSpec | undefined {
    if (pathname.startsWith('/emulator/')) return undefined;
    const index = this.faults.findIndex((fault) => matches(fault.path, pathname));
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

function matches(pattern: string, pathname: string): boolean {
  return pattern.endsWith('*') ? pathname.startsWith(pattern.slice(0, -1)) : pathname === pattern;
}
