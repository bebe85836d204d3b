// Configuration: the generic loader and one schema per command.
export { ConfigError, formatPath, loadConfig, parseConfigText } from "./load.ts";
export type { ConfigFile, ConfigSources, Loaded } from "./load.ts";
export { DEFAULT_CONFIG_PATHS, parseConfigFile, readConfigFile } from "./file.ts";
export { type ProxyConfig, proxyConfigSchema, STRATEGIES } from "./proxy_schema.ts";
export { type BackendConfig, backendConfigSchema } from "./backend_schema.ts";
