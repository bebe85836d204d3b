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
