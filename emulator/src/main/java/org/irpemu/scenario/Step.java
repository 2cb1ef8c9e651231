package org.irpemu.scenario;

import java.util.UUID;

/**
 * One parsed line of a scenario. Every step has its line number, optional label and, for steps that
 * send an IRP, an optional inline expectation ({@code -> STATUS}).
 */
abstract class Step {
    final int line;
    final String label;
    /** The handle the step works on, or {@code null} (cancel, expect, attach). */
    final String handle;
    Expectation inline;
    /** The source line, without comment, for messages. */
    String text;

    Step(int line, String label, String handle) {
        this.line = line;
        this.label = label;
        this.handle = handle;
    }

    /** @return the handle the step works on, or {@code null} */
    String handle() {
        return handle;
    }

    /** What a step must have produced: pending, or a status and optional output fields. */
    static final class Expectation {
        boolean pending;
        int status;
        Long information;
        Integer originalLevel;
        Integer newLevel;
        Integer outFlags;
    }

    static final class Create extends Step {
        final String path;
        int access;
        int share;
        int disposition;
        int options;
        int attributes;
        UUID key;
        UUID parentKey;
        String keyName;

        Create(int line, String label, String handle, String path) {
            super(line, label, handle);
            this.path = path;
        }
    }

    static final class Fsctl extends Step {
        final int code;
        int level;
        int flags;
        Integer inputLength;
        Integer outputLength;
        int version = 1;
        long offset;
        long length;

        Fsctl(int line, String label, String handle, int code) {
            super(line, label, handle);
            this.code = code;
        }
    }

    /** read, write, lock, unlock, flush, setsecurity, close. */
    static final class HandleOp extends Step {
        static final int READ = 1;
        static final int WRITE = 2;
        static final int LOCK = 3;
        static final int UNLOCK = 4;
        static final int FLUSH = 5;
        static final int SET_SECURITY = 6;
        static final int CLOSE = 7;

        final int kind;
        long offset;
        long length = 1;
        boolean shared;
        boolean wait;

        HandleOp(int line, String label, int kind, String handle) {
            super(line, label, handle);
            this.kind = kind;
        }
    }

    static final class Query extends Step {
        final int infoClass;

        Query(int line, String label, String handle, int infoClass) {
            super(line, label, handle);
            this.infoClass = infoClass;
        }
    }

    static final class SetInfo extends Step {
        final int infoClass;
        long number;
        String path;
        boolean replace;
        boolean flag;

        SetInfo(int line, String label, String handle, int infoClass) {
            super(line, label, handle);
            this.infoClass = infoClass;
        }
    }

    static final class Cancel extends Step {
        final String target;

        Cancel(int line, String label, String target) {
            super(line, label, null);
            this.target = target;
        }
    }

    static final class Expect extends Step {
        final String target;
        final Expectation expectation;

        Expect(int line, String label, String target, Expectation expectation) {
            super(line, label, null);
            this.target = target;
            this.expectation = expectation;
        }
    }

    /** {@code attach FILTER [altitude=N]}: a minifilter in the stack for the whole scenario. */
    static final class Attach extends Step {
        final String filter;
        final String altitude;

        Attach(int line, String label, String filter, String altitude) {
            super(line, label, null);
            this.filter = filter;
            this.altitude = altitude;
        }
    }
}
