// Finds and reads the config file: an explicit path must exist; otherwise the first candidate that
// exists is used, and none is fine.
import type { ConfigFile } from "./load.ts";
import { ConfigError } from "./load.ts";

export const DEFAULT_CONFIG_PATHS = ["./config.json", "/etc/config/config.json"];

export interface FileAccess {
  readTextFile(path: string): Promise<string>;
  fileExists(path: string): Promise<boolean>;
}

export async function readConfigFile(
  explicit: string | undefined,
  access: FileAccess,
  candidates: string[] = DEFAULT_CONFIG_PATHS,
): Promise<ConfigFile | undefined> {
  if (explicit !== undefined) {
    try {
      return { path: explicit, text: await access.readTextFile(explicit) };
    } catch (error) {
      throw new ConfigError([`${explicit}: cannot read config file: ${(error as Error).message}`]);
    }
  }
  for (const path of candidates) {
    if (await access.fileExists(path)) return { path, text: await access.readTextFile(path) };
  }
  return undefined;
}
