// Structured logging: one JSON object per line with a stable `msg` event name. Lines are buffered
// and written in batches, so logging a request costs a string build, not a syscall.

export type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /**
   * Writes a line whose fields the caller has already serialized (`"a":1,"b":"x"`, valid JSON
   * members): the hot path's access log skips the generic field loop.
   */
  raw(level: Level, msg: string, members: string): void;
  /** True when lines of this level are written (lets hot paths skip building fields). */
  enabled(level: Level): boolean;
  /** Writes out whatever is buffered. */
  flush(): void;
}

export interface LoggerOptions {
  level?: Level;
  /** Receives a batch of complete lines, newline-terminated. */
  write: (chunk: string) => void;
  /** Most bytes held before a write; a timer flushes smaller batches. */
  bufferBytes?: number;
  flushMs?: number;
  now?: () => number;
  /** Fields added to every line (e.g. the command). */
  base?: Fields;
}

export function createLogger(options: LoggerOptions): Logger {
  const { level = "info", write, bufferBytes = 16_384, flushMs = 50, now = Date.now, base } =
    options;
  const threshold = RANK[level];
  const basePart = base ? "," + JSON.stringify(base).slice(1, -1) : "";
  let buffer = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Thousands of lines a second share a handful of distinct milliseconds: format each once.
  let lastMs = -1;
  let lastIso = "";
  const isoNow = () => {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };

  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer === "") return;
    const chunk = buffer;
    buffer = "";
    write(chunk);
  };

  const append = (lvl: Level, line: string) => {
    buffer += line;
    if (buffer.length >= bufferBytes || lvl === "error") flush();
    else if (timer === undefined) {
      timer = setTimeout(flush, flushMs);
      // A pending flush must not keep the process alive on its own.
      (timer as { unref?: () => void }).unref?.();
    }
  };

  const emit = (lvl: Level, msg: string, fields?: Fields) => {
    if (RANK[lvl] < threshold) return;
    let line = `{"time":"${isoNow()}","level":"${lvl}","msg":${JSON.stringify(msg)}${basePart}`;
    if (fields) {
      for (const key in fields) {
        const value = fields[key];
        if (value !== undefined) line += `,${JSON.stringify(key)}:${stringify(value)}`;
      }
    }
    append(lvl, line + "}\n");
  };

  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    raw(lvl, msg, members) {
      if (RANK[lvl] < threshold) return;
      append(
        lvl,
        `{"time":"${isoNow()}","level":"${lvl}","msg":${
          JSON.stringify(msg)
        }${basePart},${members}}\n`,
      );
    },
    enabled: (lvl) => RANK[lvl] >= threshold,
    flush,
  };
}

function stringify(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return JSON.stringify(String(value));
  }
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  raw() {},
  enabled: () => false,
  flush() {},
};

/** A logger that keeps lines in memory, for tests that assert on them. */
export function memoryLogger(): Logger & { lines: Array<Fields & { level: Level; msg: string }> } {
  const lines: Array<Fields & { level: Level; msg: string }> = [];
  const push = (level: Level) => (msg: string, fields?: Fields) =>
    void lines.push({ level, msg, ...fields });
  return {
    lines,
    debug: push("debug"),
    info: push("info"),
    warn: push("warn"),
    error: push("error"),
    raw: (level, msg, members) => void lines.push({ level, msg, ...JSON.parse(`{${members}}`) }),
    enabled: () => true,
    flush() {},
  };
}
