package org.irpemu.flt.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.flt.OplockRequests;
import org.irpemu.flt.TestMachine;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.status.NtStatus;

/**
 * A request sequence on one file, written once and run against any path: every request gets a name; after
 * each step the machine is quiesced and the state of every request so far (pending, or its status,
 * information and output bytes) is appended to the transcript. Two runs that behave the same produce
 * equal transcripts, whatever the file's name.
 */
final class OplockTranscript {
    /** One step of a script. */
    @FunctionalInterface
    interface Step {
        void run(Run run);
    }

    /** A named sequence of steps. */
    static final class Script {
        final String name;
        final List<Step> steps = new ArrayList<>();

        Script(String name) {
            this.name = name;
        }

        Script step(Step s) {
            steps.add(s);
            return this;
        }

        /** An open (FILE_OPEN) with the given access, share mode, options and key (null: none). */
        Script open(String op, int access, int share, int options, UUID key) {
            return step(r -> r.submit(op, r.m.create(r.path, access, share, CreateDisposition.FILE_OPEN, options, key)));
        }

        /** An open with a disposition. */
        Script openDisposition(String op, int access, int share, int disposition) {
            return step(r -> r.submit(op, r.m.create(r.path, access, share, disposition, 0, null)));
        }

        /** FSCTL_REQUEST_OPLOCK with REQUEST_OPLOCK_INPUT_FLAG_REQUEST (or ACK) through the handle opened by {@code create}. */
        Script request(String op, String create, int level, boolean ack) {
            return step(r -> r.submit(op, OplockRequests.request(r.m.nt, r.handle(create), level, ack)));
        }

        /** FSCTL_REQUEST_OPLOCK with a raw input buffer and lengths. */
        Script rawRequest(String op, String create, int version, int length, int level, int flags, int inLength,
                int outLength) {
            return step(r -> {
                UnsafeBuffer in = new UnsafeBuffer(new byte[Math.max(12, inLength)]);
                new RequestOplockInputBuffer().wrap(in, 0).structureVersion(version).structureLength(length)
                        .requestedOplockLevel(level).flags(flags);
                Overlapped ov = new Overlapped().outputBuffer(new UnsafeBuffer(new byte[Math.max(24, outLength)]), 0);
                r.submit(op, r.m.nt.ntFsControlFile(ov, r.handle(create), FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0,
                        inLength, outLength));
            });
        }

        /** A legacy oplock FSCTL (no buffers). */
        Script fsctl(String op, String create, int code) {
            return step(r -> r.submit(op, OplockRequests.legacy(r.m.nt, r.handle(create), code)));
        }

        /** A read into a fresh buffer of {@code length} bytes. */
        Script read(String op, String create, long offset, int length) {
            return step(r -> {
                Overlapped ov = new Overlapped().attachment(new UnsafeBuffer(new byte[Math.max(1, length)]));
                r.submit(op, r.m.nt.ntReadFile(ov, r.handle(create), (UnsafeBuffer) ov.attachment(), 0, length,
                        offset, 0));
            });
        }

        /** NtQueryInformationFile. */
        Script query(String op, String create, int fileInformationClass, int length) {
            return step(r -> r.submit(op, r.m.nt.ntQueryInformationFile(
                    new Overlapped().outputBuffer(new UnsafeBuffer(new byte[Math.max(1, length)]), 0),
                    r.handle(create), length, fileInformationClass)));
        }

        /** NtClose of the handle. */
        Script close(String op, String create) {
            return step(r -> r.submit(op, r.m.close(r.handle(create))));
        }

        /** CancelIoEx of one request. */
        Script cancel(String op) {
            return step(r -> r.m.nt.cancelIoEx(null, r.ops.get(op)));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** One run of a script. */
    static final class Run {
        final TestMachine m;
        final String path;
        final Map<String, Overlapped> ops = new LinkedHashMap<>();
        final List<String> transcript = new ArrayList<>();

        Run(TestMachine m, String path) {
            this.m = m;
            this.path = path;
        }

        void submit(String op, Overlapped ov) {
            assertThat(ops.put(op, ov)).as("request name %s used twice", op).isNull();
        }

        /** The handle a completed, successful create returned. */
        FileObject handle(String create) {
            Overlapped ov = ops.get(create);
            assertThat(ov).as("no request %s", create).isNotNull();
            assertThat(ov.isDone()).as("%s completed before its handle is used", create).isTrue();
            assertThat(NtStatus.ntSuccess(ov.status())).as("%s succeeded: %s", create, ov).isTrue();
            return ov.fileObject();
        }

        private String describe(String name, Overlapped ov) {
            if (!ov.isDone()) {
                return name + " pending";
            }
            StringBuilder b = new StringBuilder(name).append(' ').append(NtStatus.symbol(ov.status()))
                    .append(" info=").append(ov.information());
            org.agrona.MutableDirectBuffer out = ov.outputBuffer() != null ? ov.outputBuffer()
                    : ov.attachment() instanceof UnsafeBuffer ? (UnsafeBuffer) ov.attachment() : null;
            if (out != null && !NtStatus.ntError(ov.status())) {
                b.append(" out=");
                int n = (int) Math.min(out.capacity(), Math.max(ov.information(), 0));
                for (int i = 0; i < n; i++) {
                    b.append(String.format("%02x", out.getByte(i)));
                }
            }
            return b.toString();
        }

        /** Runs every step, recording the state of every request after each. */
        List<String> run(Script script) {
            int n = 0;
            for (Step s : script.steps) {
                s.run(this);
                m.quiesce();
                n++;
                StringBuilder line = new StringBuilder("after step ").append(n).append(':');
                for (Map.Entry<String, Overlapped> e : ops.entrySet()) {
                    line.append(" [").append(describe(e.getKey(), e.getValue())).append(']');
                }
                transcript.add(line.toString());
            }
            return transcript;
        }

        /** Closes every handle the script left open (not part of the transcript). */
        void closeAll() {
            for (Overlapped ov : ops.values()) {
                FileObject fo = ov.isDone() && NtStatus.ntSuccess(ov.status()) ? ov.fileObject() : null;
                if (fo != null && !fo.hasFlag(FileObject.FO_CLEANUP_COMPLETE)) {
                    m.awaitStatus(m.close(fo));
                }
            }
            m.quiesce();
        }
    }

    private OplockTranscript() {
    }
}
