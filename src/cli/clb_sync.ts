// `podgate clb-sync`: keeps Tencent Cloud CLB targets equal to the Ready pods of Deployments.
// Wires settings, credentials, rules.yaml, the Kubernetes client and the CLB SDK, then runs one
// pass (the CronJob) or keeps watching.
import { createClbClient } from "../clb/clb_client.ts";
import { ClbSyncMetrics } from "../clb/metrics.ts";
import { reconcile } from "../clb/reconcile.ts";
import { parseRules } from "../clb/rules.ts";
import { createSdkTransport, DEFAULT_CLB_ENDPOINT } from "../clb/sdk_transport.ts";
import { summaryFields } from "../clb/summary.ts";
import { runWatch } from "../clb/watch.ts";
import {
  clbCredentialsSchema,
  type ClbSyncConfig,
  clbSyncConfigSchema,
} from "../config/clb_schema.ts";
import { ConfigError, formatPath, loadConfig, readConfigFile } from "../config/mod.ts";
import { createKubeClient } from "../kube/client.ts";
import { resolveKubeConnection } from "../kube/config.ts";
import { createKubePatcher } from "../kube/patch.ts";
import type { Runtime } from "../runtime/mod.ts";
import { type CommandContext, commandLogger, type ExitCode, untilSignal } from "./context.ts";
import { parseFlags } from "./flags.ts";

export const CLB_SYNC_HELP =
  `podgate clb-sync — keep Tencent Cloud CLB targets equal to the Ready pods of Deployments

Usage: podgate clb-sync [--rules FILE] [--dry-run] [--watch] [--force] [--adopt] [--config FILE]

  --rules FILE          the rules (default ./rules.yaml): load balancer → listener → rule → Deployment
  --dry-run             print the plan and change nothing
  --watch               keep running: a pass within seconds of a pod change (--debounce-ms, default
                        1000) and every --resync-ms (300000); /health and /metrics on --port (8080)
  --force               pass the deletion guard
  --adopt               take over untagged ENI targets on these rules (migrating from the old tool)
  --tag TAG             the Tag podgate sets on its targets and owns (default podgate)
  --max-delete-share N  the deletion guard: share of a rule's targets one pass may take out (0.5)
  --drain-seconds N     a leaving target sits at weight 0 this long before removal (10; per rule:
                        backend.drain_seconds in rules.yaml)
  --gate-condition-type T  the pod readiness gate podgate sets (podgate.io/clb-registered): pods
                        listing it turn Ready only once every rule they feed holds them
Every setting also reads from --config FILE (JSON or YAML) and PODGATE_<SETTING> (e.g.
PODGATE_CLB__TASK_POLL_MS); see README.md.

Credentials: CLOUD_TENCENT_SECRET_ID, CLOUD_TENCENT_SECRET_KEY, TENCENT_REGION (ap-beijing);
TENCENT_CLB_ENDPOINT overrides ${DEFAULT_CLB_ENDPOINT}. Kubernetes: in-cluster, or KUBECONFIG.

Exit codes: 0 in sync or applied (a dry run too); 1 an apply failed or the deletion guard refused;
2 bad config or credentials, or a rule could not be read (it was skipped, the others applied).`;

const SWITCHES = new Set(["dry-run", "watch", "force", "adopt"]);

async function loadSettings(
  flags: Record<string, string>,
  runtime: Runtime,
): Promise<{ config: ClbSyncConfig; warnings: string[] }> {
  const { config: configPath, ...rest } = flags;
  // Only an explicit --config: the default paths hold the proxy's settings.
  const file = configPath === undefined ? undefined : await readConfigFile(configPath, runtime, []);
  return loadConfig(clbSyncConfigSchema, { file, env: runtime.envAll(), flags: rest });
}

function readCredentials(runtime: Runtime) {
  const parsed = clbCredentialsSchema.safeParse(runtime.envAll());
  if (parsed.success) return parsed.data;
  // Name the variable and the problem, never the value.
  throw new ConfigError(parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
}

export async function runClbSync({ runtime, argv }: CommandContext): Promise<ExitCode> {
  const { flags, positionals } = parseFlags(argv, SWITCHES);
  if (flags.help) {
    runtime.writeOut(CLB_SYNC_HELP);
    return 0;
  }
  if (positionals.length) {
    runtime.writeErr(`podgate clb-sync: unexpected argument "${positionals[0]}"; see --help`);
    return 2;
  }

  // Every problem at once: settings, credentials and rules.yaml are independent.
  const problems: string[] = [];
  const attempt = async <T>(load: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const settings = await attempt(() => loadSettings(flags, runtime));
  const credentials = await attempt(() => readCredentials(runtime));
  const rules = await attempt(async () => {
    const path = settings?.config.rules ?? flags.rules ?? "rules.yaml";
    let text: string;
    try {
      text = await runtime.readTextFile(path);
    } catch (error) {
      throw new ConfigError([`${path}: cannot read the rules file: ${(error as Error).message}`]);
    }
    return parseRules(text, path);
  });
  if (!settings || !credentials || !rules) {
    for (const problem of problems) runtime.writeErr(`config error: ${problem}`);
    return 2;
  }
  const { config, warnings } = settings;

  const logger = commandLogger(runtime, config.logLevel, "clb-sync");
  for (const warning of [...warnings, ...rules.warnings]) {
    logger.warn("config_warning", { detail: warning });
  }
  const endpoint = credentials.TENCENT_CLB_ENDPOINT ?? DEFAULT_CLB_ENDPOINT;
  logger.info("clb_sync_start", {
    rules: rules.rules.length,
    mode: config.watch ? "watch" : config.dryRun ? "dry-run" : "once",
    region: credentials.TENCENT_REGION,
    endpoint,
    tag: config.tag,
    gate: config.gateConditionType,
    adopt: config.adopt || undefined,
    force: config.force || undefined,
  });

  let kube;
  let pods;
  let transport;
  try {
    const k = config.kubernetes;
    const { connection, defaultNamespace } = await resolveKubeConnection({
      kubeconfig: k.kubeconfig,
      context: k.context,
      env: runtime.env,
      readTextFile: runtime.readTextFile,
      fileExists: runtime.fileExists,
      tokenReloadMs: k.tokenReloadMs,
    });
    kube = createKubeClient(connection, {
      tlsFetch: runtime.tlsFetch,
      requestTimeoutMs: k.requestTimeoutMs,
      defaultNamespace,
    });
    await kube.prepare();
    pods = createKubePatcher(connection, {
      tlsFetch: runtime.tlsFetch,
      requestTimeoutMs: k.requestTimeoutMs,
    });
    logger.info("kube_connection", { server: connection.server, source: connection.source });
    transport = await createSdkTransport({
      secretId: credentials.CLOUD_TENCENT_SECRET_ID,
      secretKey: credentials.CLOUD_TENCENT_SECRET_KEY,
      region: credentials.TENCENT_REGION,
      endpoint,
    });
  } catch (error) {
    logger.error("startup_failed", { error: (error as Error).message });
    logger.flush();
    return 2;
  }

  const metrics = new ClbSyncMetrics();
  const clb = createClbClient(transport, {
    timeoutMs: config.clb.requestTimeoutMs,
    retryBaseMs: config.clb.retryBaseMs,
    retryMaxMs: config.clb.retryMaxMs,
    retryDeadlineMs: config.clb.retryDeadlineMs,
    taskPollMs: config.clb.taskPollMs,
    taskTimeoutMs: config.clb.taskTimeoutMs,
    rateLimit: config.clb.rateLimit,
    logger,
    observe: (action, outcome) => metrics.observeRequest(action, outcome),
  });
  const options = {
    dryRun: config.dryRun,
    force: config.force,
    adopt: config.adopt,
    tag: config.tag,
    maxDeleteShare: config.maxDeleteShare,
    kubeTimeoutMs: config.kubernetes.requestTimeoutMs,
    gateType: config.gateConditionType,
    drainSeconds: config.drainSeconds,
    recheckMs: config.recheckMs,
  };

  if (!config.watch) {
    const result = await reconcile(rules.rules, { kube, pods, clb, logger }, options);
    logger.info("summary", summaryFields(result));
    logger.flush();
    return result.exitCode;
  }

  const k = config.kubernetes;
  const code = await runWatch({
    rules: rules.rules,
    kube,
    pods,
    clb,
    metrics,
    reconcile: options,
    debounceMs: config.debounceMs,
    resyncMs: config.resyncMs,
    stopMs: config.stopMs,
    kubeWaitMs: k.requestTimeoutMs,
    kubeTimers: {
      backoffInitialMs: k.backoffInitialMs,
      backoffMaxMs: k.backoffMaxMs,
      watchTimeoutMinSeconds: k.watchTimeoutMinSeconds,
      watchTimeoutMaxSeconds: k.watchTimeoutMaxSeconds,
    },
    serve: (handler) =>
      runtime.serve(handler, {
        port: config.port,
        hostname: config.hostname,
        onError: (error) => {
          logger.error("handler_error", { error });
          return new Response('{"error":"internal error"}', { status: 500 });
        },
      }),
    stopped: untilSignal(runtime),
    logger,
  });
  logger.flush();
  return code;
}
