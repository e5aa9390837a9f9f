package dev.herald.client.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the named loggers log (System.Logger writes through java.util.logging when no other backend is installed), from
 * creation until {@link #close}.
 */
public final class CapturedLogs extends Handler implements AutoCloseable {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final List<Logger> loggers;

    public CapturedLogs(String... loggerNames) {
        loggers = java.util.Arrays.stream(loggerNames).map(Logger::getLogger).toList();
        loggers.forEach(l -> l.addHandler(this));
    }

    public List<LogRecord> records() {
        return records;
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        loggers.forEach(l -> l.removeHandler(this));
    }
}
