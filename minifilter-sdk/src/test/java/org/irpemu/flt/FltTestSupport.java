package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.OplockLevel;
import org.irpemu.status.NtStatus;

/** Helpers shared by the Filter Manager and verifier tests. */
final class FltTestSupport {
    private FltTestSupport() {
    }

    /** @return the line number of the caller (to point at the statement after it: {@code line() + 1}) */
    static int line() {
        return new Throwable().getStackTrace()[1].getLineNumber();
    }

    /** @return "File.java:LINE" for a line of a test class, as a stack trace element prints it */
    static String at(Class<?> testClass, int line) {
        return testClass.getSimpleName() + ".java:" + line + ")";
    }

    /** @return the findings of one rule */
    static List<FltVerifier.Finding> findings(FltVerifier verifier, FltVerifier.Rule rule) {
        List<FltVerifier.Finding> out = new ArrayList<>();
        for (FltVerifier.Finding f : verifier.findings()) {
            if (f.rule() == rule) {
                out.add(f);
            }
        }
        return out;
    }

    /** Quiesces and returns the only finding, which must be of {@code rule}. */
    static FltVerifier.Finding onlyFinding(TestMachine m, FltVerifier.Rule rule) {
        m.quiesce();
        List<FltVerifier.Finding> all = m.verifier.findings();
        assertThat(all).as("verifier findings").hasSize(1);
        assertThat(all.get(0).rule()).isEqualTo(rule);
        return all.get(0);
    }

    /** Waits (bounded) until a condition holds: for watchdog timeouts only, never as a synchronisation. */
    static void pollUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestMachine.TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline < 0).as("waited for %s", what).isTrue();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A caller's handle holding a granted Read-Write-Handle oplock, whose break needs an acknowledgment. */
    static final class RwhHolder {
        final TestMachine m;
        final FileObject handle;
        final Overlapped oplock;

        RwhHolder(TestMachine m, String path) {
            this.m = m;
            handle = m.open(path, AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, CreateDisposition.FILE_OPEN_IF);
            oplock = OplockRequests.request(m.nt, handle, OplockLevel.RWH, false);
            m.quiesce();
            assertThat(oplock.isDone()).as("RWH oplock granted (its request stays pending)").isFalse();
        }

        /** Acknowledges the break to Read-Handle: the operations waiting for it go on. */
        Overlapped acknowledge() {
            assertThat(m.awaitStatus(oplock)).as("the RWH oplock broke").isEqualTo(NtStatus.STATUS_SUCCESS);
            return OplockRequests.request(m.nt, handle, OplockLevel.RH, true);
        }
    }
}
