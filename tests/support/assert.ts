// Assertions with @std/assert's names over node:assert (JSR, where std lives, is not reachable).
import nodeAssert from "node:assert/strict";

export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message ?? "assertion failed");
}

export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, message ?? "values are not equal");
}

export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message ?? "values are equal");
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(
    actual,
    pattern,
    message ?? `expected ${JSON.stringify(actual)} to match ${pattern}`,
  );
}

export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  nodeAssert.ok(
    actual.includes(expected),
    message ?? `expected ${JSON.stringify(actual)} to include ${JSON.stringify(expected)}`,
  );
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E> = new (...args: any[]) => E;

export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  errorClass?: ErrorClass<E>,
): E {
  try {
    fn();
  } catch (error) {
    if (errorClass && !(error instanceof errorClass)) {
      throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name}, got ${error}` });
    }
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: "expected the function to throw" });
}

export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  errorClass?: ErrorClass<E>,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (errorClass && !(error instanceof errorClass)) {
      throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name}, got ${error}` });
    }
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: "expected the promise to reject" });
}
