import { connect, type Socket } from 'node:net';

/** What came back on one raw TCP connection, read until the server closed it. */
export interface RawAnswer {
  /** The status of the first response; undefined when the connection ended without one. */
  status: number | undefined;
  /** Everything received, as latin1 text (status line, headers and body). */
  text: string;
  body: string;
  bytes: number;
  /** How it ended: closed by the server, reset, or given up on by us (never answered). */
  end: 'closed' | 'reset' | 'timeout';
  ms: number;
}

export interface RawOptions {
  /** Loopback only (the machine's network rule): 127.0.0.1 unless told. */
  address?: '127.0.0.1' | '::1';
  timeoutMs?: number;
  /** Receives the socket once connected, e.g. to write more later. */
  onSocket?: (socket: Socket) => void;
}

/**
 * Sends the bytes exactly as given (no client library normalises them) and reads until the server
 * closes. Send `Connection: close` for a complete request; a partial one waits for the server's cut.
 */
export function rawRequest(port: number, data: string | Buffer, opts: RawOptions = {}): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: opts.address ?? '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let end: RawAnswer['end'] = 'closed';
    const timer = setTimeout(() => {
      end = 'timeout';
      socket.destroy();
    }, opts.timeoutMs ?? 5_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {
      if (end !== 'timeout') end = 'reset';
    });
    socket.on('connect', () => {
      opts.onSocket?.(socket);
      if (data.length > 0) socket.write(data, () => {});
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const buf = Buffer.concat(chunks);
      const text = buf.toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1];
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: status === undefined ? undefined : Number(status),
        text,
        body: split === -1 ? '' : text.slice(split + 4),
        bytes: buf.length,
        end,
        ms: Date.now() - started,
      });
    });
  });
}

/** A request line plus headers, CRLF-terminated, ending the head; `Connection: close` is added. */
export function httpRequest(requestLine: string, headers: Array<[string, string]>, body = ''): string {
  const lines = [requestLine, ...headers.map(([k, v]) => `${k}: ${v}`), 'Connection: close'];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
