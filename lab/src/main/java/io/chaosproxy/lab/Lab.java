package io.chaosproxy.lab;

import java.util.Arrays;

/** {@code java -jar chaos-proxy-lab.jar server|client|app [options]}: the lab's three programs in one jar. */
public final class Lab {
    private Lab() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (command) {
                case "server" -> DemoServer.main(rest);
                case "client" -> DemoClient.main(rest);
                case "app" -> AppUnderTest.main(rest);
                default -> {
                    System.err.println("usage: java -jar chaos-proxy-lab.jar server|client|app [options]  (--help for options)");
                    System.exit(2);
                }
            }
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
