// Finds and reads the config file: an explicit path must exist; otherwise the first candidate that
// exists is used, and none is fine.
import { cannotParse, ConfigError, type ConfigFile, parseConfigText } from "./load.ts";

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
    let text: string;
    try {
      text = await access.readTextFile(explicit);
    } catch (error) {
      throw new ConfigError([`${explicit}: cannot read config file: ${(error as Error).message}`]);
    }
    return await parseConfigFile({ path: explicit, text });
  }
  for (const path of candidates) {
    if (await access.fileExists(path)) {
      return await parseConfigFile({ path, text: await access.readTextFile(path) });
    }
  }
  return undefined;
}

/** Parses a config file: JSON for `.json`, YAML (which reads JSON too) for any other name. */
export async function parseConfigFile(file: ConfigFile): Promise<ConfigFile> {
  if (file.path.endsWith(".json")) return { ...file, parsed: parseConfigText(file) };
  const { parse } = await import("yaml");
  try {
    return { ...file, parsed: parse(file.text) ?? {} };
  } catch (error) {
    throw cannotParse(file, error);
  }
}
