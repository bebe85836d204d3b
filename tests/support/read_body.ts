// Reads a response body to its end, telling a clean end from one cut by an error (a proxy that
// stops a stalled upstream must cut the client's body, not end it as if it were whole).

export async function readUntilEnd(res: Response): Promise<{ text: string; failed: boolean }> {
  let text = "";
  try {
    for await (const chunk of res.body!) text += new TextDecoder().decode(chunk);
  } catch {
    return { text, failed: true };
  }
  return { text, failed: false };
}
