package org.irpemu.flt.junit;

import java.util.ArrayList;
import java.util.List;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.fsrtl.OplockObserver;
import org.irpemu.fsrtl.OplockRule;
import org.irpemu.io.IoEventListener;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.status.NtStatus;

/**
 * What happened on a {@link FilterTestVolume}, one line per event: each caller request as it enters the
 * stack ({@code -> IRP_MJ_CREATE \a.txt}) and completes ({@code <- IRP_MJ_CREATE STATUS_SUCCESS}), and each
 * oplock decision ({@code oplock BREAK #3 RWH -> RH, ack required, STATUS_SUCCESS}), with the handle's
 * number ({@code FileObject.id()}). Thread-safe.
 */
public final class FilterTestTrace implements IoEventListener, OplockObserver {
    private final List<String> lines = new ArrayList<>();

    @Override
    public void irpDispatched(Irp irp, Overlapped overlapped) {
        add("-> " + describe(irp));
    }

    @Override
    public void irpCompleted(Irp irp, Overlapped overlapped) {
        IoStackLocation top = irp.stackLocation(irp.stackCount() - 1);
        add("<- " + IrpMajorFunction.name(top.majorFunction()) + " " + NtStatus.symbol(irp.ioStatus().status()));
    }

    @Override
    public void onEvent(Kind kind, Oplock oplock, FileObject open, Irp irp, String detail, OplockRule rule) {
        if (kind != Kind.STATE) {
            add("oplock " + kind + (open != null ? " #" + open.id() : "") + (detail != null ? " " + detail : ""));
        }
    }

    private static String describe(Irp irp) {
        IoStackLocation top = irp.stackLocation(irp.stackCount() - 1);
        StringBuilder b = new StringBuilder(IrpMajorFunction.name(top.majorFunction()));
        if (top.majorFunction() == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL) {
            b.append(' ').append(FsControlCode.name(top.fsControlCode()));
        }
        if (top.fileObject() != null) {
            b.append(' ').append(top.fileObject().fileName()).append(" #").append(top.fileObject().id());
        }
        return b.toString();
    }

    private synchronized void add(String line) {
        lines.add(line);
    }

    /** @return every line so far */
    public synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** @return the lines containing {@code text} */
    public synchronized List<String> linesContaining(String text) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.contains(text)) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public synchronized String toString() {
        return String.join("\n", lines);
    }
}
