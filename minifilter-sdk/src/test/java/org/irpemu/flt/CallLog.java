package org.irpemu.flt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.irpemu.irp.IrpMajorFunction;

/** What the test filters saw, in the order they saw it (written on dispatcher threads). */
final class CallLog {
    /** One callback. */
    record Call(boolean post, String filter, String instanceAltitude, int majorFunction, Object context,
            int status, Object observed) {
        /** @return "pre NAME" or "post NAME" */
        String label() {
            return (post ? "post " : "pre ") + filter;
        }

        @Override
        public String toString() {
            return label() + " " + IrpMajorFunction.name(majorFunction);
        }
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    void add(Call call) {
        calls.add(call);
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** @return the labels of every call, in order */
    List<String> labels() {
        List<String> out = new ArrayList<>();
        for (Call c : calls) {
            out.add(c.label());
        }
        return out;
    }

    /** @return the labels of the calls for one major function, in order */
    List<String> labels(int majorFunction) {
        List<String> out = new ArrayList<>();
        for (Call c : calls) {
            if (c.majorFunction() == majorFunction) {
                out.add(c.label());
            }
        }
        return out;
    }

    /** @return the calls one filter received, in order */
    List<Call> callsOf(String filter) {
        List<Call> out = new ArrayList<>();
        for (Call c : calls) {
            if (c.filter().equals(filter)) {
                out.add(c);
            }
        }
        return out;
    }

    /** @return the post-operation call of a filter for a major function, or null */
    Call post(String filter, int majorFunction) {
        for (Call c : calls) {
            if (c.post() && c.filter().equals(filter) && c.majorFunction() == majorFunction) {
                return c;
            }
        }
        return null;
    }

    void clear() {
        calls.clear();
    }
}
