package org.irpemu.flt;

import java.util.function.ToIntFunction;
import org.irpemu.irp.IrpMajorFunction;

/**
 * A test minifilter: it logs every callback in a {@link CallLog} and returns what its script says
 * (by default FLT_PREOP_SUCCESS_WITH_CALLBACK and FLT_POSTOP_FINISHED_PROCESSING).
 */
final class ScriptedFilter {
    /** The script of the pre-operation callback. */
    @FunctionalInterface
    interface Pre {
        int run(FltCallbackData data, CompletionContext completionContext);
    }

    /** The script of the post-operation callback. */
    @FunctionalInterface
    interface Post {
        int run(FltCallbackData data, Object completionContext);
    }

    final String name;
    private final CallLog log;
    private volatile Pre pre = (data, ctx) -> FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
    private volatile Post post = (data, ctx) -> FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
    private volatile ToIntFunction<FltCallbackData> observer;

    ScriptedFilter(String name, CallLog log) {
        this.name = name;
        this.log = log;
    }

    ScriptedFilter onPre(Pre script) {
        this.pre = script;
        return this;
    }

    ScriptedFilter onPost(Post script) {
        this.post = script;
        return this;
    }

    /** Records, in each pre-operation call, a number read from the callback data (e.g. a parameter). */
    ScriptedFilter observe(ToIntFunction<FltCallbackData> observer) {
        this.observer = observer;
        return this;
    }

    /** @param majors the major functions to register; none means all of them */
    FltRegistration registration(int... majors) {
        FltRegistration.Builder b = FltRegistration.builder(name);
        if (majors.length == 0) {
            for (int major = 0; major <= IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION; major++) {
                b.operation(major, this::pre, this::post);
            }
        } else {
            for (int major : majors) {
                b.operation(major, this::pre, this::post);
            }
        }
        return b.build();
    }

    private int pre(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        ToIntFunction<FltCallbackData> o = observer;
        log.add(new CallLog.Call(false, name, objects.instance().altitude(), data.iopb().majorFunction(), null, 0,
                o == null ? null : o.applyAsInt(data)));
        return pre.run(data, context);
    }

    private int post(FltCallbackData data, FltRelatedObjects objects, Object context, int flags) {
        log.add(new CallLog.Call(true, name, objects.instance().altitude(), data.iopb().majorFunction(), context,
                data.ioStatus().status(), null));
        return post.run(data, context);
    }
}
