import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const useColor = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
const COLORS = { gray: 90, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, bold: 1 } as const;
export type Color = keyof typeof COLORS;

export function paint(color: Color, text: string): string {
  return useColor ? `\u001b[${COLORS[color]}m${text}\u001b[0m` : text;
}

const LEVELS: Record<number, { name: string; color: Color }> = {
  10: { name: 'TRACE', color: 'gray' },
  20: { name: 'DEBUG', color: 'gray' },
  30: { name: 'INFO ', color: 'green' },
  40: { name: 'WARN ', color: 'yellow' },
  50: { name: 'ERROR', color: 'red' },
  60: { name: 'FATAL', color: 'red' },
};

/** Fields every pino line has that a person reading the terminal does not need to see. */
const NOISE = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg']);

/** Turns one pino JSON line into `LEVEL message key=value…`; anything else is shown as it is. */
export function readableLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVELS[Number(entry['level'])] ?? { name: String(entry['level'] ?? ''), color: 'gray' as const };
  const details = Object.entries(entry)
    .filter(([key]) => !NOISE.has(key))
    .map(([key, value]) => {
      if (key === 'err' && value !== null && typeof value === 'object') {
        const error = value as { message?: unknown; stack?: unknown };
        return `\n    ${String(error.stack ?? error.message)}`;
      }
      return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    });
  return `${paint(level.color, level.name)} ${String(entry['msg'] ?? '')}${details.length > 0 ? ` ${paint('gray', details.join(' '))}` : ''}`;
}

/** Writes each line of a child's output with the child's name in front, in its own color. */
export function prefixLines(stream: Readable, name: string, color: Color, width: number, onLine?: (line: string) => void): void {
  const prefix = paint(color, `${name.padEnd(width)} │`);
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    onLine?.(line);
    process.stdout.write(`${prefix} ${readableLogLine(line)}\n`);
  });
}
