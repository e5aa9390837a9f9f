package dev.herald.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent while a scenario runs: the whole machine's busy time (/proc/stat: user, nice, system, irq, softirq;
 * steal and idle are not counted) and this JVM's own (Herald, the load generator and the receiver). The rest is
 * PostgreSQL and the kernel's work for other processes. On a host that others share, rates move with their load; the
 * CPU time each delivery costs moves much less, so it tells whether a change made Herald cheaper.
 */
final class CpuMeter {
    /** Ticks per second of /proc/stat (USER_HZ; 100 on every Linux this runs on). */
    private static final double TICKS_PER_SECOND = 100.0;

    private final double machineStart;
    private final double jvmStart;
    private final double jitStart;

    private CpuMeter(double machineStart, double jvmStart, double jitStart) {
        this.machineStart = machineStart;
        this.jvmStart = jvmStart;
        this.jitStart = jitStart;
    }

    static CpuMeter start() {
        return new CpuMeter(machineBusySeconds(), jvmSeconds(), jitSeconds());
    }

    /**
     * CPU seconds used since start: the machine's, this JVM's, and of that the JIT compilers' (a scenario still
     * compiling measures the compiler too: the JIT share says how much).
     */
    record Used(double machineSeconds, double jvmSeconds, double jitSeconds) {
        /** "CPU per delivery: 412 µs (JVM 290 µs, JIT 12 µs)"; empty when /proc/stat cannot be read. */
        String perUnit(long units, String unit) {
            if (units <= 0 || Double.isNaN(machineSeconds)) return "";
            return String.format("CPU per %s: %,.0f µs (JVM %,.0f µs, JIT %,.0f µs)", unit, machineSeconds * 1e6 / units,
                    jvmSeconds * 1e6 / units, jitSeconds * 1e6 / units);
        }
    }

    Used used() {
        return new Used(machineBusySeconds() - machineStart, jvmSeconds() - jvmStart, jitSeconds() - jitStart);
    }

    private static double jvmSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime() / 1e9;
        return Double.NaN;
    }

    /**
     * CPU time of HotSpot's compiler threads (named "C1 CompilerThre…" and "C2 CompilerThre…" under /proc/self/task).
     * Not CompilationMXBean's figure: that is elapsed time, and on a busy 2-core machine counts the waits too. NaN off
     * Linux.
     */
    private static double jitSeconds() {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            long ticks = 0;
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue; // the thread ended while listing
                }
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                if (open < 0 || close < open || !stat.substring(open + 1, close).contains("CompilerThre")) continue;
                String[] f = stat.substring(close + 2).split(" "); // fields from the 3rd: state, ppid, …; utime is the 14th
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
            return ticks / TICKS_PER_SECOND;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static double machineBusySeconds() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal …"
            String[] f = cpu.trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]);
            return busy / TICKS_PER_SECOND;
        } catch (Exception e) {
            return Double.NaN; // not Linux
        }
    }
}
