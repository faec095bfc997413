/** Shows that a secret is set and which one, without revealing it: `abcd…wxyz` (first/last 4). */
export function maskSecret(secret: string | undefined): string {
  if (!secret) return '(not set)';
  if (secret.length <= 12) return '•'.repeat(8);
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

/** "2026-11-26 20:07 UTC (in 59m 59s)" */
export function formatExpiry(at: number, now: number): string {
  const iso = new Date(at).toISOString().replace('T', ' ').slice(0, 16);
  const rel = at >= now ? `in ${formatDuration(at - now)}` : `${formatDuration(now - at)} ago`;
  return `${iso} UTC (${rel})`;
}
