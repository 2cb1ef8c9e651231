package org.irpemu.flt.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.irpemu.flt.CompletionContext;
import org.irpemu.flt.FltCallbackData;
import org.irpemu.flt.FltPostopCallbackStatus;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.FltRelatedObjects;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.status.NtStatus;

/**
 * A sample minifilter in the spirit of the WDK's minispy: it records every operation it sees, once on
 * the way down (pre-operation) and once on the way up (post-operation, with the final status), and
 * changes nothing.
 */
public final class ActivityMonitor {
    /** The filter's name. */
    public static final String NAME = "ActivityMonitor";
    /** Minispy's altitude (activity monitor load order group). */
    public static final String DEFAULT_ALTITUDE = "385100";

    /** One observed operation. */
    public static final class Record {
        private final long sequence;
        private final boolean post;
        private final int majorFunction;
        private final int minorFunction;
        private final int fsControlCode;
        private final String fileName;
        private final int status;
        private final long information;

        Record(long sequence, boolean post, int majorFunction, int minorFunction, int fsControlCode, String fileName,
                int status, long information) {
            this.sequence = sequence;
            this.post = post;
            this.majorFunction = majorFunction;
            this.minorFunction = minorFunction;
            this.fsControlCode = fsControlCode;
            this.fileName = fileName;
            this.status = status;
            this.information = information;
        }

        /** @return the operation's number (pre and post of one operation share it) */
        public long sequence() {
            return sequence;
        }

        /** @return whether this is the post-operation record */
        public boolean isPost() {
            return post;
        }

        public int majorFunction() {
            return majorFunction;
        }

        public int minorFunction() {
            return minorFunction;
        }

        /** @return the file name of the target file object */
        public String fileName() {
            return fileName;
        }

        /** @return the final status (post records); 0 for pre records */
        public int status() {
            return status;
        }

        public long information() {
            return information;
        }

        /** @return one line in the style of minispy's output */
        public String format() {
            StringBuilder sb = new StringBuilder();
            sb.append(post ? "Post " : "Pre  ").append(String.format("%08d ", sequence));
            sb.append(IrpMajorFunction.name(majorFunction));
            String minor = IrpMinorFunction.name(majorFunction, minorFunction);
            if (minor != null) {
                sb.append('/').append(minor);
            }
            if (majorFunction == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL) {
                sb.append(' ').append(FsControlCode.name(fsControlCode));
            }
            sb.append(' ').append(fileName);
            if (post) {
                sb.append(' ').append(NtStatus.symbol(status)).append(" info=").append(information);
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return format();
        }
    }

    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedQueue<Record> records = new ConcurrentLinkedQueue<>();
    private final FltRegistration registration;

    public ActivityMonitor() {
        FltRegistration.Builder b = FltRegistration.builder(NAME);
        for (int major = 0; major <= IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION; major++) {
            b.operation(major, this::pre, this::post);
        }
        registration = b.build();
    }

    /** @return the registration to pass to {@code FltRegisterFilter} */
    public FltRegistration registration() {
        return registration;
    }

    private int pre(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        long seq = sequence.incrementAndGet();
        records.add(record(seq, false, data));
        context.set(seq);
        return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
    }

    private int post(FltCallbackData data, FltRelatedObjects objects, Object context, int flags) {
        records.add(record((Long) context, true, data));
        return FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
    }

    private static Record record(long seq, boolean post, FltCallbackData data) {
        FileObject fo = data.iopb().targetFileObject();
        return new Record(seq, post, data.iopb().majorFunction(), data.iopb().minorFunction(),
                data.iopb().parameters().fsControlCode(), fo == null ? "" : fo.fileName(),
                post ? data.ioStatus().status() : 0, post ? data.ioStatus().information() : 0);
    }

    /** @return every record so far, in the order they were made */
    public List<Record> records() {
        return new ArrayList<>(records);
    }

    /** Forgets the records. */
    public void clear() {
        records.clear();
    }
}
