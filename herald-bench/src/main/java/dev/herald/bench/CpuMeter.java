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

    private CpuMeter(double machineStart, double jvmStart) {
        this.machineStart = machineStart;
        this.jvmStart = jvmStart;
    }

    static CpuMeter start() {
        return new CpuMeter(machineBusySeconds(), jvmSeconds());
    }

    /** CPU seconds used since start: the machine's and this JVM's. */
    record Used(double machineSeconds, double jvmSeconds) {
        /** "machine 412 µs (JVM 290 µs)" per unit of work; empty when /proc/stat cannot be read. */
        String perUnit(long units, String unit) {
            if (units <= 0 || Double.isNaN(machineSeconds)) return "";
            return String.format("CPU per %s: %,.0f µs (JVM %,.0f µs)", unit, machineSeconds * 1e6 / units, jvmSeconds * 1e6 / units);
        }
    }

    Used used() {
        return new Used(machineBusySeconds() - machineStart, jvmSeconds() - jvmStart);
    }

    private static double jvmSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime() / 1e9;
        return Double.NaN;
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
