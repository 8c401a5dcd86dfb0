/** Structured logs: one JSON object per line (time, level, msg, then fields such as model, latencyMs, status, requestId). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export type Logger = (record: LogRecord) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON lines to a writable (stderr by default), dropping records below `minLevel`. */
export function jsonLogger(minLevel: LogLevel = 'info', out: { write(s: string): unknown } = process.stderr): Logger {
  if (!(minLevel in RANK)) throw new RangeError(`unknown log level '${minLevel}'; use debug, info, warn or error`);
  return (record) => {
    if (RANK[record.level] < RANK[minLevel]) return;
    out.write(JSON.stringify({ time: new Date().toISOString(), ...record }) + '\n');
  };
}

export const silentLogger: Logger = () => {};
