// Accepting connections on a test listener until it is closed. `for await (const conn of
// listener)` ends for good when one connection is reset before it is accepted (the proxy's
// connect probe opens and resets connections), after which a test backend silently stops
// accepting; this loop takes that one failure and goes on.

/** Calls `onConn` for each accepted connection until `listener` is closed; resolves then. */
export async function acceptLoop(
  listener: Deno.Listener,
  onConn: (conn: Deno.Conn) => void,
): Promise<void> {
  for (;;) {
    let conn: Deno.Conn;
    try {
      conn = await listener.accept();
    } catch (error) {
      if (error instanceof Deno.errors.BadResource) return; // closed
      continue; // reset before it was accepted
    }
    onConn(conn);
  }
}

export interface ServedConnections {
  /** Closes the listener and every connection still open, then waits for the accept loop. */
  close(): Promise<void>;
}

/**
 * acceptLoop that keeps the open connections: each is handed to `serve` and closed once the
 * promise `serve` returns settles, and close() ends whatever is still open.
 */
export function serveConnections(
  listener: Deno.Listener,
  serve: (conn: Deno.Conn) => Promise<unknown> | void,
): ServedConnections {
  const open = new Set<Deno.Conn>();
  const accepting = acceptLoop(listener, (conn) => {
    open.add(conn);
    Promise.resolve(serve(conn)).catch(() => {}).finally(() => {
      open.delete(conn);
      closeQuietly(conn);
    });
  });
  return {
    async close() {
      listener.close();
      for (const conn of open) closeQuietly(conn);
      await accepting;
    },
  };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
