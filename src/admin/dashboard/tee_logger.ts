// Feeds the dashboard's events from the log lines the proxy writes anyway (backend added, removed,
// ejected; watch errors; draining), so the request path gains no call of its own. Every line
// still reaches the wrapped logger; the access log's raw() lines pass straight through.
import type { Fields, Level, Logger } from "../../log.ts";

/** What the dashboard hears: the message name and its fields, whatever the log level. */
export type LogListener = (msg: string, fields: Fields | undefined) => void;

/**
 * Wraps `logger` so the messages named in `msgs` also go to `listener` (before the level
 * filter: a proxy logging at warn still shows backends added). A throwing listener is ignored.
 */
export function teeLogger(
  logger: Logger,
  msgs: ReadonlySet<string>,
  listener: LogListener,
): Logger {
  const tee = (level: Exclude<Level, "debug">) => (msg: string, fields?: Fields) => {
    if (msgs.has(msg)) {
      try {
        listener(msg, fields);
      } catch {
        // The dashboard must never break logging.
      }
    }
    logger[level](msg, fields);
  };
  return {
    debug: (msg, fields) => logger.debug(msg, fields),
    info: tee("info"),
    warn: tee("warn"),
    error: tee("error"),
    raw: (level, msg, members) => logger.raw(level, msg, members),
    enabled: (level) => logger.enabled(level),
    flush: () => logger.flush(),
  };
}
