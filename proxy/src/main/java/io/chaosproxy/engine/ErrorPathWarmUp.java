package io.chaosproxy.engine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * Loads, at start, what error paths would otherwise load lazily from files. When the process is out of file
 * descriptors, the first log line about a failed accept used to open the JDK's time-zone database (for the log
 * line's timestamp); that failed with a NoClassDefFoundError, which escaped the event loop and killed its thread
 * for good. Formatting one log record with a stack trace now loads the time-zone rules, the formatter and the
 * stack-trace printing while descriptors are plentiful, and the classes of our own error paths.
 *
 * <p>It takes tens of milliseconds (the time-zone database, logging), so a server may start it on another thread
 * early ({@link ProxyEngine#warmUpErrorPaths()}); {@code run} is synchronized, so an engine created meanwhile waits
 * for that run to finish instead of racing it, and every engine still starts with its error paths loaded.
 */
final class ErrorPathWarmUp {
    private static volatile boolean done;

    private ErrorPathWarmUp() {
    }

    static synchronized void run() {
        if (done) {
            return;
        }
        ZoneId.systemDefault().getRules();
        ZonedDateTime.now().toString();
        LogRecord record = new LogRecord(Level.WARNING, "warm-up {0}");
        record.setParameters(new Object[] {"of the error path"});
        record.setThrown(new java.io.IOException("warm-up", new IllegalStateException("cause")));
        new SimpleFormatter().format(record);
        new IllegalStateException("warm-up").printStackTrace(new PrintWriter(new StringWriter()));
        // Our classes that only failures use: from a jar they load through its open file, but from a directory
        // (a test class path) each needs a descriptor of its own.
        DialFailures.classify(new java.io.IOException("warm-up"));
        DialFailures.isReset(new java.io.IOException("warm-up"));
        for (io.chaosproxy.model.CloseReason r : io.chaosproxy.model.CloseReason.values()) {
            r.label();
        }
        new AcceptBackoff("warm-up").logLine(new java.io.IOException("warm-up"), 0);
        done = true;
    }
}
