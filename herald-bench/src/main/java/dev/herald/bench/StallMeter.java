package dev.herald.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Tells a stall of the machine from a stall of Herald during a latency phase. A platform thread asks to wake every
 * millisecond and notes each wake-up that came more than {@link #REPORTED_MILLIS} late (the JVM paused, or the
 * virtual machine was not given a core: a "hiccup" meter); every 100 ms it also reads the steal time of /proc/stat
 * (time the hypervisor ran someone else while this machine had work). A latency tail that coincides with either
 * is the platform's; one without them is the queue's.
 */
final class StallMeter implements AutoCloseable {
    private static final long REPORTED_MILLIS = 20;
    private static final long TICKS_PER_SECOND = 100; // USER_HZ of /proc/stat

    private record Late(long atMillis, long lateMillis) {}

    private final Thread thread;
    private final long startNanos = System.nanoTime();
    private final List<Late> late = new ArrayList<>();
    private volatile boolean running = true;
    private long stealTicks;
    private long worstWindowStealTicks;
    private long worstWindowAtMillis;

    private StallMeter() {
        thread = Thread.ofPlatform().daemon().name("bench-stall-meter").start(this::run);
    }

    static StallMeter start() {
        return new StallMeter();
    }

    private void run() {
        long lastSteal = steal();
        long nextStealRead = System.nanoTime() + 100_000_000L;
        long expected = System.nanoTime() + 1_000_000L;
        while (running) {
            LockSupport.parkNanos(1_000_000L);
            long now = System.nanoTime();
            long lateMillis = (now - expected) / 1_000_000L;
            if (lateMillis > REPORTED_MILLIS) {
                synchronized (this) {
                    late.add(new Late((expected - startNanos) / 1_000_000L, lateMillis));
                }
            }
            if (now >= nextStealRead) {
                long steal = steal();
                long window = steal - lastSteal;
                synchronized (this) {
                    stealTicks += window;
                    if (window > worstWindowStealTicks) {
                        worstWindowStealTicks = window;
                        worstWindowAtMillis = (now - startNanos) / 1_000_000L;
                    }
                }
                lastSteal = steal;
                nextStealRead = now + 100_000_000L;
            }
            expected = now + 1_000_000L;
        }
    }

    /**
     * "wake-ups > 20 ms late: 2, the longest 212 ms at 5.3 s; steal 1200 ms in all, at most 90 ms in one 100 ms window
     * (at 5.3 s)", or "no wake-up > 20 ms late; no steal".
     */
    synchronized String summary() {
        var longest = late.stream().max(java.util.Comparator.comparingLong(Late::lateMillis));
        String wakeUps = longest.map(l -> String.format("wake-ups > %d ms late: %d, the longest %d ms at %.1f s",
                REPORTED_MILLIS, late.size(), l.lateMillis(), l.atMillis() / 1000.0))
                .orElse(String.format("no wake-up > %d ms late", REPORTED_MILLIS));
        if (stealTicks == 0) return wakeUps + "; no steal";
        return String.format("%s; steal %d ms in all, at most %d ms in one 100 ms window (at %.1f s)", wakeUps,
                stealTicks * 1000 / TICKS_PER_SECOND, worstWindowStealTicks * 1000 / TICKS_PER_SECOND, worstWindowAtMillis / 1000.0);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }

    /** Steal ticks of all cores so far (0 off Linux). */
    private static long steal() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return Long.parseLong(f[8]); // cpu user nice system idle iowait irq softirq steal
        } catch (Exception e) {
            return 0;
        }
    }
}
