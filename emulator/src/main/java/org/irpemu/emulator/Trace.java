package org.irpemu.emulator;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.fsrtl.OplockObserver;
import org.irpemu.fsrtl.OplockRule;
import org.irpemu.io.IoEventListener;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * A file-system-monitor style trace of the emulator: every IRP as it enters the device stack and as it
 * completes, and, indented under them, every oplock decision — grants, refusals, breaks (old level, new
 * level, acknowledgment required or not, which handle), operations parked and released, cancels. With
 * {@code explain}, each decision and state change is followed by the rule that caused it: the MS-FSA
 * section or WDK page and the condition that held.
 *
 * <p>Requests are named by a {@link Tag} attached to their {@link Overlapped}; handles by the names
 * given to {@link #nameHandle}. Lines are collected and taken with {@link #drain()}.
 */
public final class Trace implements IoEventListener, OplockObserver {
    /** How a request appears in the trace: its step number, label and handle name. */
    public static final class Tag {
        final String step;
        final String handle;

        public Tag(String step, String handle) {
            this.step = step;
            this.handle = handle;
        }

        @Override
        public String toString() {
            return step;
        }
    }

    private static final String INDENT = "                ";
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final boolean explain;
    private final List<String> lines = new ArrayList<>();
    private final Map<FileObject, String> handles = new ConcurrentHashMap<>();
    private volatile boolean enabled = true;

    /** @param explain print the rule behind every decision and state change */
    public Trace(boolean explain) {
        this.explain = explain;
    }

    /** Turns collection on or off (off: the hooks return at once). */
    public void enabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Gives a handle (file object) the name the trace shows for it. */
    public void nameHandle(FileObject fileObject, String name) {
        handles.put(fileObject, name);
    }

    /** @return the lines collected since the last call, in order */
    public List<String> drain() {
        synchronized (lines) {
            List<String> out = new ArrayList<>(lines);
            lines.clear();
            return out;
        }
    }

    private void add(String line) {
        synchronized (lines) {
            lines.add(line);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // IRPs
    // ---------------------------------------------------------------------------------------------

    @Override
    public void irpDispatched(Irp irp, Overlapped overlapped) {
        if (!enabled) {
            return;
        }
        IoStackLocation sl = irp.stackLocation(irp.stackCount() - 1);
        add(prefix(overlapped, sl.fileObject()) + "-> " + function(sl) + ' ' + path(sl) + parameters(irp, sl));
    }

    @Override
    public void irpCompleted(Irp irp, Overlapped overlapped) {
        if (!enabled) {
            return;
        }
        IoStackLocation sl = irp.stackLocation(irp.stackCount() - 1);
        add(prefix(overlapped, sl.fileObject()) + "<- " + function(sl) + ' ' + result(irp, sl));
    }

    @Override
    public void cancelRequested(Overlapped overlapped, Irp irp) {
        if (!enabled) {
            return;
        }
        add(prefix(overlapped, null) + "   cancel (IoCancelIrp)" + (irp == null ? ": nothing pending" : ""));
    }

    /** A line for a request still pending when its step ended. */
    public void pending(Overlapped overlapped, String what) {
        if (enabled) {
            add(prefix(overlapped, null) + ".. " + what + " STATUS_PENDING");
        }
    }

    private String prefix(Overlapped ov, FileObject fo) {
        String step = "";
        String handle = "";
        if (ov != null && ov.attachment() instanceof Tag) {
            Tag t = (Tag) ov.attachment();
            step = t.step;
            handle = t.handle;
        }
        if (handle.isEmpty() && fo != null) {
            handle = handleName(fo);
        }
        return String.format("%-10s %-6s ", step, handle.length() > 6 ? handle.substring(0, 6) : handle);
    }

    private String handleName(FileObject fo) {
        if (fo == null) {
            return "";
        }
        String name = handles.get(fo);
        return name != null ? name : "FO#" + fo.id();
    }

    private static String function(IoStackLocation sl) {
        String minor = IrpMinorFunction.name(sl.majorFunction(), sl.minorFunction());
        String major = IrpMajorFunction.name(sl.majorFunction());
        return minor == null || sl.majorFunction() == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL ? major
                : major + '/' + minor;
    }

    private static String path(IoStackLocation sl) {
        return sl.fileObject() == null ? "" : sl.fileObject().fileName();
    }

    private String parameters(Irp irp, IoStackLocation sl) {
        StringBuilder sb = new StringBuilder();
        switch (sl.majorFunction()) {
            case IrpMajorFunction.IRP_MJ_CREATE:
                sb.append(" access=").append(AccessMask.format(sl.desiredAccess()));
                sb.append(" share=").append(share(sl.shareAccess()));
                sb.append(" disposition=").append(CreateDisposition.name(sl.createDisposition()));
                if (sl.createOptions() != 0) {
                    sb.append(" options=").append(CreateOptions.format(sl.createOptions()));
                }
                if (irp.oplockKeyEcp().targetOplockKey() != null) {
                    sb.append(" key=").append(shortKey(irp.oplockKeyEcp().targetOplockKey()));
                }
                if (irp.oplockKeyEcp().parentOplockKey() != null) {
                    sb.append(" parentkey=").append(shortKey(irp.oplockKeyEcp().parentOplockKey()));
                }
                break;
            case IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL:
                sb.append(' ').append(FsControlCode.name(sl.fsControlCode()));
                if (sl.fsControlCode() == FsControlCode.FSCTL_REQUEST_OPLOCK
                        && sl.inputBufferLength() >= RequestOplockInputBuffer.ENCODED_LENGTH) {
                    sb.append(" level=").append(OplockLevel.format(
                            irp.systemBuffer().getInt(RequestOplockInputBuffer.REQUESTED_OPLOCK_LEVEL_OFFSET, LE)));
                    sb.append(" flags=").append(flagNames(
                            irp.systemBuffer().getInt(RequestOplockInputBuffer.FLAGS_OFFSET, LE)));
                }
                break;
            case IrpMajorFunction.IRP_MJ_READ:
            case IrpMajorFunction.IRP_MJ_WRITE:
            case IrpMajorFunction.IRP_MJ_LOCK_CONTROL:
                sb.append(" offset=").append(sl.byteOffset()).append(" length=").append(sl.length());
                if (sl.majorFunction() == IrpMajorFunction.IRP_MJ_LOCK_CONTROL
                        && sl.minorFunction() == IrpMinorFunction.IRP_MN_LOCK) {
                    sb.append((sl.flags() & IoStackLocation.SL_EXCLUSIVE_LOCK) != 0 ? " exclusive" : " shared");
                    sb.append((sl.flags() & IoStackLocation.SL_FAIL_IMMEDIATELY) != 0 ? " fail-immediately" : " wait");
                }
                break;
            case IrpMajorFunction.IRP_MJ_QUERY_INFORMATION:
            case IrpMajorFunction.IRP_MJ_SET_INFORMATION:
                sb.append(' ').append(FileInformationClass.name(sl.fileInformationClass()));
                break;
            default:
                break;
        }
        return sb.toString();
    }

    private static String flagNames(int flags) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"REQUEST", "ACK", "COMPLETE_ACK_ON_CLOSE"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.length() > 0 ? "|" : "").append(names[i]);
            }
        }
        return sb.length() == 0 ? "NONE" : sb.toString();
    }

    private static String share(int share) {
        if (share == 0) {
            return "NONE";
        }
        return ((share & 1) != 0 ? "R" : "") + ((share & 2) != 0 ? "W" : "") + ((share & 4) != 0 ? "D" : "");
    }

    private static String shortKey(java.util.UUID key) {
        return key.toString().substring(0, 8);
    }

    private static String result(Irp irp, IoStackLocation sl) {
        int status = irp.ioStatus().status();
        long info = irp.ioStatus().information();
        StringBuilder sb = new StringBuilder(NtStatus.symbol(status));
        if (sl.majorFunction() == IrpMajorFunction.IRP_MJ_CREATE && NtStatus.ntSuccess(status)) {
            sb.append(" info=").append(CreateDisposition.actionName((int) info));
        } else if (sl.majorFunction() == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL
                && sl.fsControlCode() == FsControlCode.FSCTL_REQUEST_OPLOCK && !NtStatus.ntError(status)
                && info >= RequestOplockOutputBuffer.ENCODED_LENGTH) {
            RequestOplockOutputBuffer out = new RequestOplockOutputBuffer().wrap(irp.systemBuffer(), 0);
            sb.append(" original=").append(OplockLevel.format(out.originalOplockLevel()));
            sb.append(" new=").append(OplockLevel.format(out.newOplockLevel()));
            sb.append(" outflags=").append(out.flags() == 0 ? "NONE"
                    : RequestOplockOutputBuffer.formatFlags(out.flags()).replace("REQUEST_OPLOCK_OUTPUT_FLAG_", ""));
        } else if (info != 0 || sl.majorFunction() == IrpMajorFunction.IRP_MJ_CREATE) {
            String name = sl.majorFunction() == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL
                    || sl.majorFunction() == IrpMajorFunction.IRP_MJ_CREATE ? OplockBreakInformation.name(info) : null;
            sb.append(" info=").append(name != null ? name : Long.toString(info));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Oplock decisions
    // ---------------------------------------------------------------------------------------------

    @Override
    public void onEvent(Kind kind, Oplock oplock, FileObject open, Irp irp, String detail, OplockRule rule) {
        if (!enabled) {
            return;
        }
        if (kind == Kind.STATE) {
            if (explain) {
                add(INDENT + "state:     " + detail + "   (" + rule.source() + ")");
            }
            return;
        }
        String request = "";
        Tag tag = null;
        if (irp != null && irp.originator() instanceof Overlapped
                && ((Overlapped) irp.originator()).attachment() instanceof Tag) {
            tag = (Tag) ((Overlapped) irp.originator()).attachment();
            request = " [" + tag + "]";
        }
        String who = "";
        if (open != null) {
            // A create's handle has no name until it completes: use the name its step gives it.
            who = (!handles.containsKey(open) && tag != null && !tag.handle.isEmpty() ? tag.handle : handleName(open)) + " ";
        }
        add(INDENT + String.format("%-10s %s%s%s", word(kind), who, detail == null ? "" : detail, request));
        if (explain) {
            add(INDENT + "  why:     " + rule.source() + ": " + rule.condition());
        }
    }

    private static String word(Kind kind) {
        switch (kind) {
            case GRANTED: return "granted";
            case REFUSED: return "refused";
            case BREAK: return "break";
            case PARKED: return "parked";
            case RELEASED: return "released";
            case ACKNOWLEDGED: return "ack";
            case CANCELLED: return "cancelled";
            default: return kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
