package io.chaosproxy.scenario;

import io.chaosproxy.engine.EngineConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code chaos-proxy scenario list} and {@code chaos-proxy scenario run <name>...|--all}. */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = "The scenario catalogue: what each side sees when a connection breaks at each stage.",
        subcommands = {ScenarioCommand.ListScenarios.class, ScenarioCommand.RunScenarios.class})
public final class ScenarioCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Set by picocli: the root command (the server's Main), which knows how to start a chaos-proxy. */
    @ParentCommand
    ScenarioHost.Starter hosts;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the scenarios.")
    static final class ListScenarios implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String fmt = "%-11s %-33s %-7s %s%n";
            out.printf(Locale.ROOT, fmt, "STAGE", "SCENARIO", "ENGINE", "FAULT");
            for (Scenario s : Catalogue.all()) {
                out.printf(Locale.ROOT, fmt, s.stage().jsonName(), s.name(), s.needsPacketEngine() ? "packet"
                        : "stream", s.fault());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Runs scenarios through an in-process chaos-proxy and reports what each side saw. "
                    + "Exit code 1 when a scenario did not behave as stated.")
    static final class RunScenarios implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        ScenarioCommand parent;

        @Parameters(arity = "0..*", paramLabel = "NAME", description = "Scenarios to run (see 'scenario list').")
        List<String> names = new ArrayList<>();

        @Option(names = "--all", description = "Run every scenario.")
        boolean all;

        @Option(names = "--json", paramLabel = "FILE", description = "Write the full records as JSON.")
        Path json;

        @Option(names = "--markdown", paramLabel = "FILE",
                description = "Write a Markdown report with a sequence diagram per scenario.")
        Path markdown;

        @Option(names = "--client-cmd", paramLabel = "CMD",
                description = "Run this shell command as the client instead of the built-in one; {host} and "
                        + "{port} are replaced by the proxy's address, e.g. 'curl -s http://{host}:{port}/'.")
        String clientCommand;

        @Option(names = "--client-timeout", paramLabel = "MS",
                description = "How long --client-cmd may run before it is killed (default: ${DEFAULT-VALUE} ms).")
        long clientTimeoutMillis = 30_000;

        @Option(names = "--connect-timeout", paramLabel = "MS",
                description = "The proxy's own dial timeout (upstream-blackholed waits this long; default: "
                        + "${DEFAULT-VALUE} ms).")
        int connectTimeoutMillis = 1000;

        @Option(names = "--no-packet-engine",
                description = "Do not start the packet engine: packet scenarios are reported as unavailable. "
                        + "Otherwise it starts where Linux, CAP_NET_ADMIN and iptables allow, and installs "
                        + "rules for the scenarios' own ports only, removed afterwards; run inside a network "
                        + "namespace of its own (unshare -n) to leave the host's rules untouched.")
        boolean noPacketEngine;

        @Option(names = "--generated-by", paramLabel = "TEXT", hidden = true,
                description = "The command named at the top of the Markdown report (default: this one).")
        String generatedBy;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<Scenario> chosen = choose();
            if (connectTimeoutMillis <= 0) {
                throw new ParameterException(spec.commandLine(), "--connect-timeout must be a positive number of ms");
            }
            ScenarioHost.Starter hosts = parent.hosts;
            if (hosts == null) {
                throw new IllegalStateException("'scenario run' needs the chaos-proxy command as its parent");
            }
            EngineConfig config = EngineConfig.defaults().withConnectTimeoutMillis(connectTimeoutMillis);
            List<ScenarioRecord> records = new ArrayList<>();
            String packetState;
            try (ScenarioHost host = hosts.start(config, !noPacketEngine)) {
                String why = host.registry().engine().packetFaults().unavailableReason();
                packetState = why == null ? "packet engine on" : "packet engine off (" + why + ")";
                out.println("chaos-proxy " + hosts.version() + ", " + packetState + "; running "
                        + chosen.size() + " scenario" + (chosen.size() == 1 ? "" : "s"));
                out.flush();
                ScenarioEnvironment env = new ScenarioEnvironment(host.registry(), clientCommand,
                        clientTimeoutMillis);
                Catalogue.warmUp(env);
                for (Scenario s : chosen) {
                    ScenarioRecord r = s.run(env);
                    records.add(r);
                    out.printf(Locale.ROOT, "  %-33s %-12s %s%n", s.name(), Reports.status(r),
                            Reports.cut(Reports.clientSaw(r), 90));
                    out.flush();
                }
            }
            out.println();
            out.print(Reports.table(records));
            out.flush();
            try {
                if (json != null) {
                    Files.writeString(json, Reports.json(records), StandardCharsets.UTF_8);
                    out.println("wrote " + json);
                }
                if (markdown != null) {
                    String by = generatedBy != null ? generatedBy
                            : "java -jar chaos-proxy.jar "
                                    + String.join(" ", spec.root().commandLine().getParseResult().originalArgs());
                    String env = "chaos-proxy " + hosts.version() + ", Linux "
                            + System.getProperty("os.version") + ", Java " + System.getProperty("java.version")
                            + ", " + packetState + ", kernel settings " + ScenarioRunner.kernelSettings() + ".";
                    Files.writeString(markdown, MarkdownReport.render(records, by,
                            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), env), StandardCharsets.UTF_8);
                    out.println("wrote " + markdown);
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println("chaos-proxy: cannot write the report: " + e.getMessage());
                return 1;
            }
            out.flush();
            boolean bad = records.stream().anyMatch(r -> r.status().equals(ScenarioRecord.DIFFERS)
                    || r.status().equals(ScenarioRecord.ERROR));
            return bad ? 1 : 0;
        }

        private List<Scenario> choose() {
            if (all == !names.isEmpty()) {
                throw new ParameterException(spec.commandLine(),
                        "name the scenarios to run, or give --all (not both); see 'scenario list'");
            }
            if (all) {
                return Catalogue.all();
            }
            List<Scenario> chosen = new ArrayList<>();
            for (String n : names) {
                chosen.add(Catalogue.find(n).orElseThrow(() -> new ParameterException(spec.commandLine(),
                        "no scenario named '" + n + "'; see 'scenario list'")));
            }
            return chosen;
        }
    }
}
