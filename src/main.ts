// podgate's one entrypoint: argv → proxy | backend | clb-sync | version. The only place that
// exits the process.
import type { CommandContext, ExitCode } from "./cli/context.ts";
import { runtime } from "./runtime/mod.ts";
import { VERSION } from "./version.ts";

const USAGE = `podgate ${VERSION} — a Kubernetes edge load balancer

Usage: podgate <command> [flags]

Commands:
  proxy      the load balancer (default)
  backend    the demo workload
  clb-sync   reconcile Ready pod IPs into Tencent Cloud CLB targets
  version    print the version

Run 'podgate <command> --help' for a command's flags.`;

type Command = (ctx: CommandContext) => Promise<ExitCode>;

const commands: Record<string, Command> = {
  // Each command loads its own modules, so `version` or `backend` never pay for the proxy's.
  proxy: async (ctx) => (await import("./cli/proxy.ts")).runProxy(ctx),
  backend: async (ctx) => (await import("./cli/backend.ts")).runBackend(ctx),
  "clb-sync": async (ctx) => (await import("./cli/clb_sync.ts")).runClbSync(ctx),
  version: ({ runtime }) => {
    runtime.writeOut(`podgate ${VERSION} (${runtime.name} ${runtime.version})`);
    return Promise.resolve(0);
  },
};

function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || first === "help") {
    runtime.writeOut(USAGE);
    return Promise.resolve(0);
  }
  if (first === "--version") return commands.version!({ runtime, argv: [] });
  const name = first === undefined || first.startsWith("-") ? "proxy" : first;
  const command = commands[name];
  if (!command) {
    runtime.writeErr(`podgate: unknown command "${name}"\n\n${USAGE}`);
    return Promise.resolve(2);
  }
  return command({ runtime, argv: name === first ? rest : argv });
}

// No top-level await: the entry stays a plain script whatever format the bytecode build uses.
main(runtime.args()).then(
  (code) => runtime.exit(code),
  (error) => {
    runtime.writeErr(`podgate: ${(error as Error)?.stack ?? error}`);
    runtime.exit(1);
  },
);
