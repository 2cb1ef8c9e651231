package org.irpemu.irp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Io routines ({@code IoCallDriver}, {@code IoCompleteRequest}, {@code IoMarkIrpPending},
 * completion and cancel routines) on a two-driver stack built here: a filter ("upper") attached over a
 * file system ("lower"). Everything runs on the test thread; IRPs come from {@link Io#allocateIrp} and
 * finish in a recording {@link IrpCompletionSink}.
 */
class IoTest {
    // Values typed in from ntstatus.h / oplock-reference.md, not read from NtStatus.
    private static final int STATUS_SUCCESS = 0x00000000;
    private static final int STATUS_PENDING = 0x00000103;
    private static final int STATUS_INVALID_DEVICE_REQUEST = 0xC0000010;
    private static final int STATUS_MORE_PROCESSING_REQUIRED = 0xC0000016;
    private static final int STATUS_ACCESS_DENIED = 0xC0000022;
    private static final int STATUS_CANCELLED = 0xC0000120;
    // wdm.h
    private static final int IRP_MJ_CREATE = 0x00;
    private static final int IRP_MJ_READ = 0x03;
    private static final int IRP_MJ_WRITE = 0x04;
    private static final int SL_PENDING_RETURNED = 0x01;

    private final List<String> log = new ArrayList<>();
    private final List<Irp> completedToSink = new ArrayList<>();
    private final IrpCompletionSink sink = completedToSink::add;

    private final DriverObject lowerDriver = new DriverObject("\\FileSystem\\Lower");
    private final DriverObject upperDriver = new DriverObject("\\FileSystem\\Upper");
    private final DeviceObject lower = new DeviceObject(lowerDriver, "\\Device\\Lower", null);
    private final DeviceObject upper = new DeviceObject(upperDriver, "\\Device\\Upper", null);

    /** The IRP the lower driver keeps pending, if any. */
    private Irp heldByLower;

    @BeforeEach
    void buildStack() {
        upper.attachToDeviceStack(lower);
    }

    // ---------------------------------------------------------------- stack building

    @Test
    void attachToDeviceStackLinksTheDevicesAndGrowsStackSize() {
        assertThat(lower.stackSize()).isEqualTo(1);
        assertThat(upper.stackSize()).isEqualTo(2);
        assertThat(lower.attachedDevice()).isSameAs(upper);
        assertThat(upper.lowerDevice()).isSameAs(lower);
        assertThat(lower.lowerDevice()).isNull();
        assertThat(lower.topOfStack()).isSameAs(upper);
        assertThat(upper.topOfStack()).isSameAs(upper);
    }

    @Test
    void attachingAThirdDeviceGoesOnTopOfTheStack() {
        DeviceObject third = new DeviceObject(new DriverObject("\\Driver\\Third"), null, null);

        DeviceObject attachedTo = third.attachToDeviceStack(lower);

        assertThat(attachedTo).as("the previous top").isSameAs(upper);
        assertThat(third.stackSize()).isEqualTo(3);
        assertThat(lower.topOfStack()).isSameAs(third);
    }

    @Test
    void attachingTwiceThrows() {
        DeviceObject other = new DeviceObject(new DriverObject("\\Driver\\Other"), null, null);

        assertThatThrownBy(() -> upper.attachToDeviceStack(other)).isInstanceOf(IllegalStateException.class);
    }

    // ---------------------------------------------------------------- IRP allocation

    @Test
    void allocateIrpStartsAboveTheTopLocation() {
        Irp irp = Io.allocateIrp(2, sink);

        assertThat(irp.stackCount()).isEqualTo(2);
        assertThat(irp.currentLocation()).isEqualTo(2);
        assertThat(irp.requestorMode()).isEqualTo(Irp.KERNEL_MODE);
        assertThat(irp.isCompleted()).isFalse();
        assertThat(irp.ioStatus().status()).isEqualTo(STATUS_SUCCESS);
        assertThatThrownBy(() -> Io.getCurrentIrpStackLocation(irp)).isInstanceOf(IllegalStateException.class);
        assertThat(Io.getNextIrpStackLocation(irp)).isSameAs(irp.stackLocation(1));
    }

    @Test
    void initializeRejectsImpossibleStackSizes() {
        Irp irp = new Irp();

        assertThatThrownBy(() -> irp.initialize(0, 1, null, sink)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> irp.initialize(17, 1, null, sink)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void initializeClearsAPreviousUse() {
        Irp irp = Io.allocateIrp(1, sink);
        lowerDriver.majorFunction(IRP_MJ_READ, (d, i) -> Io.completeRequest(i, STATUS_ACCESS_DENIED, 3));
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(lower, irp);
        assertThat(irp.isCompleted()).isTrue();

        irp.initialize(2, 99, "caller", sink);

        assertThat(irp.isCompleted()).isFalse();
        assertThat(irp.stackCount()).isEqualTo(2);
        assertThat(irp.currentLocation()).isEqualTo(2);
        assertThat(irp.ioStatus().status()).isEqualTo(STATUS_SUCCESS);
        assertThat(irp.ioStatus().information()).isZero();
        assertThat(irp.serial()).isEqualTo(99);
        assertThat(irp.originator()).isEqualTo("caller");
        assertThat(irp.requestorMode()).isEqualTo(Irp.USER_MODE);
        assertThat(irp.stackLocation(0).majorFunction()).isEqualTo(IRP_MJ_CREATE);
        assertThat(irp.stackLocation(0).deviceObject()).isNull();
    }

    // ---------------------------------------------------------------- IoCallDriver

    @Test
    void callDriverMovesToTheNextLocationAndCallsTheMajorFunction() {
        List<Integer> locations = new ArrayList<>();
        upperDriver.majorFunction(IRP_MJ_READ, (device, irp) -> {
            locations.add(irp.currentLocation());
            assertThat(device).isSameAs(upper);
            assertThat(Io.getCurrentIrpStackLocation(irp).deviceObject()).isSameAs(upper);
            Io.copyCurrentIrpStackLocationToNext(irp);
            return Io.callDriver(lower, irp);
        });
        lowerDriver.majorFunction(IRP_MJ_WRITE, (device, irp) -> {
            log.add("lower WRITE called for a READ");
            return Io.completeRequest(irp, STATUS_SUCCESS, 0);
        });
        lowerDriver.majorFunction(IRP_MJ_READ, (device, irp) -> {
            locations.add(irp.currentLocation());
            IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
            assertThat(device).isSameAs(lower);
            assertThat(sl.deviceObject()).isSameAs(lower);
            assertThat(sl.majorFunction()).isEqualTo(IRP_MJ_READ);
            assertThat(sl.byteOffset()).as("copied from the upper location").isEqualTo(4096);
            assertThat(sl.length()).isEqualTo(512);
            log.add("lower READ");
            return Io.completeRequest(irp, STATUS_SUCCESS, 512);
        });
        Irp irp = Io.allocateIrp(upper.stackSize(), sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ).byteOffset(4096).length(512);

        int status = Io.callDriver(upper, irp);

        assertThat(status).isEqualTo(STATUS_SUCCESS);
        assertThat(locations).containsExactly(1, 0);
        assertThat(log).containsExactly("lower READ");
        assertThat(completedToSink).containsExactly(irp);
        assertThat(irp.ioStatus().information()).isEqualTo(512);
    }

    @Test
    void callDriverBelowTheBottomLocationThrows() {
        Irp irp = Io.allocateIrp(1, sink);
        lowerDriver.majorFunction(IRP_MJ_READ, (device, i) -> {
            assertThatThrownBy(() -> Io.getNextIrpStackLocation(i)).isInstanceOf(IllegalStateException.class);
            log.add("checked");
            return Io.completeRequest(i, STATUS_SUCCESS, 0);
        });
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);

        Io.callDriver(lower, irp);

        assertThat(log).containsExactly("checked");
    }

    @Test
    void callDriverAfterCompletionThrows() {
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(lower, irp); // default dispatch completes it

        assertThatThrownBy(() -> Io.callDriver(lower, irp)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unsetMajorFunctionCompletesWithInvalidDeviceRequest() {
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_WRITE);

        int status = Io.callDriver(lower, irp);

        assertThat(status).isEqualTo(STATUS_INVALID_DEVICE_REQUEST);
        assertThat(irp.ioStatus().status()).isEqualTo(STATUS_INVALID_DEVICE_REQUEST);
        assertThat(irp.ioStatus().information()).isZero();
        assertThat(irp.isCompleted()).isTrue();
        assertThat(completedToSink).containsExactly(irp);
    }

    @Test
    void settingANullDispatchRestoresTheDefault() {
        lowerDriver.majorFunction(IRP_MJ_WRITE, (d, i) -> Io.completeRequest(i, STATUS_SUCCESS, 0));
        lowerDriver.majorFunction(IRP_MJ_WRITE, null);
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_WRITE);

        assertThat(Io.callDriver(lower, irp)).isEqualTo(STATUS_INVALID_DEVICE_REQUEST);
    }

    // ---------------------------------------------------------------- IoCompleteRequest

    @Test
    void completionRoutinesRunBottomUpWithTheDeviceOfTheDriverThatSetThem() {
        passDownWithRoutine((device, irp, context) -> {
            log.add("upper routine device=" + device + " context=" + context + " location="
                    + Io.getCurrentIrpStackLocation(irp).deviceObject());
            return Io.STATUS_CONTINUE_COMPLETION;
        });
        completeAtOnceInLower(STATUS_SUCCESS);
        Irp irp = topIrpWithRoutine(IRP_MJ_READ);

        Io.callDriver(upper, irp);

        assertThat(log).containsExactly(
                "upper routine device=\\Device\\Upper context=upper-context location=\\Device\\Upper",
                "top routine device=null");
        assertThat(completedToSink).containsExactly(irp);
        assertThat(irp.isCompleted()).isTrue();
        assertThat(irp.currentLocation()).isEqualTo(2);
    }

    @Test
    void completionRoutineSeesTheFinalStatusAndMayChangeIt() {
        passDownWithRoutine((device, irp, context) -> {
            log.add("upper saw " + Integer.toHexString(irp.ioStatus().status()));
            irp.ioStatus().set(STATUS_SUCCESS, 7);
            return Io.STATUS_CONTINUE_COMPLETION;
        });
        completeAtOnceInLower(STATUS_ACCESS_DENIED);
        Irp irp = topIrpWithRoutine(IRP_MJ_READ);

        Io.callDriver(upper, irp);

        assertThat(log).containsExactly("upper saw c0000022", "top routine device=null");
        assertThat(irp.ioStatus().status()).isEqualTo(STATUS_SUCCESS);
        assertThat(irp.ioStatus().information()).isEqualTo(7);
    }

    @Test
    void routineIsSkippedWhenItsInvokeFlagDoesNotMatchTheStatus() {
        upperDriver.majorFunction(IRP_MJ_READ, (device, irp) -> {
            Io.copyCurrentIrpStackLocationToNext(irp);
            Io.setCompletionRoutine(irp, (d, i, c) -> {
                log.add("success-only routine");
                return Io.STATUS_CONTINUE_COMPLETION;
            }, null, true, false, false);
            return Io.callDriver(lower, irp);
        });
        completeAtOnceInLower(STATUS_ACCESS_DENIED);
        Irp irp = topIrpWithRoutine(IRP_MJ_READ);

        Io.callDriver(upper, irp);

        assertThat(log).containsExactly("top routine device=null");
        assertThat(completedToSink).containsExactly(irp);
    }

    @Test
    void moreProcessingRequiredStopsCompletionUntilTheDriverCompletesAgain() {
        List<Irp> keptByUpper = new ArrayList<>();
        passDownWithRoutine((device, irp, context) -> {
            log.add("upper routine");
            keptByUpper.add(irp);
            return STATUS_MORE_PROCESSING_REQUIRED;
        });
        completeAtOnceInLower(STATUS_SUCCESS);
        Irp irp = topIrpWithRoutine(IRP_MJ_READ);

        Io.callDriver(upper, irp);

        assertThat(log).containsExactly("upper routine");
        assertThat(completedToSink).isEmpty();
        assertThat(irp.isCompleted()).isFalse();
        assertThat(irp.currentLocation()).as("the upper driver's location is current").isEqualTo(1);
        assertThat(Io.getCurrentIrpStackLocation(irp).deviceObject()).isSameAs(upper);

        Io.completeRequest(keptByUpper.get(0));

        assertThat(log).containsExactly("upper routine", "top routine device=null");
        assertThat(completedToSink).containsExactly(irp);
        assertThat(irp.isCompleted()).isTrue();
    }

    @Test
    void completingTwiceThrows() {
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(lower, irp);

        assertThatThrownBy(() -> Io.completeRequest(irp)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Io.completeRequest(irp, STATUS_SUCCESS, 0)).isInstanceOf(IllegalStateException.class);
        assertThat(completedToSink).hasSize(1);
    }

    @Test
    void completingWithStatusPendingThrows() {
        pendInLower(null);
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(lower, irp);
        heldByLower.ioStatus().set(STATUS_PENDING, 0);

        assertThatThrownBy(() -> Io.completeRequest(heldByLower)).isInstanceOf(IllegalStateException.class);
        assertThat(completedToSink).isEmpty();
        assertThat(irp.isCompleted()).isFalse();
    }

    @Test
    void completeRequestWithStatusReturnsTheStatus() {
        Irp irp = Io.allocateIrp(1, sink);
        lowerDriver.majorFunction(IRP_MJ_READ, (d, i) -> {
            int returned = Io.completeRequest(i, STATUS_ACCESS_DENIED, 5);
            log.add(Integer.toHexString(returned));
            return returned;
        });
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);

        assertThat(Io.callDriver(lower, irp)).isEqualTo(STATUS_ACCESS_DENIED);
        assertThat(log).containsExactly("c0000022");
        assertThat(irp.ioStatus().information()).isEqualTo(5);
    }

    // ---------------------------------------------------------------- pending

    @Test
    void pendingIsReturnedUpAndSeenByTheUpperRoutine() {
        List<Boolean> upperSawPending = new ArrayList<>();
        passDownWithRoutine((device, irp, context) -> {
            upperSawPending.add(irp.pendingReturned());
            if (irp.pendingReturned()) {
                Io.markIrpPending(irp); // the routine's duty: propagate the mark to the driver above
            }
            return Io.STATUS_CONTINUE_COMPLETION;
        });
        pendInLower(null);
        List<Boolean> topSawPending = new ArrayList<>();
        Irp irp = Io.allocateIrp(upper.stackSize(), sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.setCompletionRoutine(irp, (d, i, c) -> {
            topSawPending.add(i.pendingReturned());
            return Io.STATUS_CONTINUE_COMPLETION;
        }, null, true, true, true);

        int status = Io.callDriver(upper, irp);

        assertThat(status).isEqualTo(STATUS_PENDING);
        assertThat(irp.stackLocation(0).control() & SL_PENDING_RETURNED).isEqualTo(SL_PENDING_RETURNED);
        assertThat(irp.isCompleted()).isFalse();
        assertThat(completedToSink).isEmpty();

        Io.completeRequest(heldByLower, STATUS_SUCCESS, 100);

        assertThat(upperSawPending).containsExactly(true);
        assertThat(topSawPending).containsExactly(true);
        assertThat(completedToSink).containsExactly(irp);
    }

    @Test
    void withoutAnUpperRoutineThePendingMarkIsPropagatedByTheIoManager() {
        upperDriver.majorFunction(IRP_MJ_READ, (device, irp) -> {
            Io.copyCurrentIrpStackLocationToNext(irp);
            return Io.callDriver(lower, irp);
        });
        pendInLower(null);
        List<Boolean> topSawPending = new ArrayList<>();
        Irp irp = Io.allocateIrp(upper.stackSize(), sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.setCompletionRoutine(irp, (d, i, c) -> {
            topSawPending.add(i.pendingReturned());
            return Io.STATUS_CONTINUE_COMPLETION;
        }, null, true, true, true);
        Io.callDriver(upper, irp);

        Io.completeRequest(heldByLower, STATUS_SUCCESS, 0);

        assertThat(topSawPending).containsExactly(true);
        assertThat(irp.stackLocation(1).control() & SL_PENDING_RETURNED).isEqualTo(SL_PENDING_RETURNED);
    }

    @Test
    void synchronousCompletionIsNotPendingReturned() {
        List<Boolean> sawPending = new ArrayList<>();
        passDownWithRoutine((device, irp, context) -> {
            sawPending.add(irp.pendingReturned());
            return Io.STATUS_CONTINUE_COMPLETION;
        });
        completeAtOnceInLower(STATUS_SUCCESS);
        Irp irp = Io.allocateIrp(upper.stackSize(), sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);

        Io.callDriver(upper, irp);

        assertThat(sawPending).containsExactly(false);
        assertThat(irp.pendingReturned()).isFalse();
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void cancelIrpCallsTheCancelRoutineOnceWithTheHoldingDevice() {
        List<DeviceObject> cancelledOn = new ArrayList<>();
        pendInLower((device, irp) -> {
            cancelledOn.add(device);
            assertThat(irp.isCancel()).isTrue();
            assertThat(irp.cancelRoutine()).as("cleared before the call").isNull();
            Io.completeRequest(irp, STATUS_CANCELLED, 0);
        });
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(lower, irp);

        assertThat(Io.cancelIrp(irp)).isTrue();
        assertThat(Io.cancelIrp(irp)).as("already completed").isFalse();

        assertThat(cancelledOn).containsExactly(lower);
        assertThat(irp.ioStatus().status()).isEqualTo(STATUS_CANCELLED);
        assertThat(completedToSink).containsExactly(irp);
    }

    @Test
    void secondCancelOfAStillPendingIrpDoesNotCallTheRoutineAgain() {
        List<String> calls = new ArrayList<>();
        pendInLower((device, irp) -> calls.add("cancel")); // keeps the IRP: completes it later
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(lower, irp);

        assertThat(Io.cancelIrp(irp)).isTrue();
        assertThat(Io.cancelIrp(irp)).isFalse();

        assertThat(calls).containsExactly("cancel");
        assertThat(irp.isCancel()).isTrue();
    }

    @Test
    void cancelIrpWithoutACancelRoutineReturnsFalseButMarksTheIrp() {
        pendInLower(null);
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(lower, irp);

        assertThat(Io.cancelIrp(irp)).isFalse();

        assertThat(irp.isCancel()).isTrue();
        assertThat(irp.isCompleted()).isFalse();
    }

    @Test
    void setCancelRoutineReturnsThePreviousRoutine() {
        Irp irp = Io.allocateIrp(1, sink);
        DriverCancel first = (d, i) -> log.add("first");
        DriverCancel second = (d, i) -> log.add("second");

        assertThat(Io.setCancelRoutine(irp, first)).isNull();
        assertThat(Io.setCancelRoutine(irp, second)).isSameAs(first);
        assertThat(irp.cancelRoutine()).isSameAs(second);
        assertThat(Io.setCancelRoutine(irp, null)).isSameAs(second);
        assertThat(irp.cancelRoutine()).isNull();
    }

    @Test
    void completionClearsTheCancelRoutine() {
        pendInLower((d, i) -> log.add("cancel routine must not run"));
        Irp irp = Io.allocateIrp(1, sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(lower, irp);

        Io.completeRequest(heldByLower, STATUS_SUCCESS, 0);

        assertThat(irp.cancelRoutine()).isNull();
        assertThat(Io.cancelIrp(irp)).isFalse();
        assertThat(log).isEmpty();
    }

    @Test
    void cancelledIrpRunsAnInvokeOnCancelRoutine() {
        upperDriver.majorFunction(IRP_MJ_READ, (device, irp) -> {
            Io.copyCurrentIrpStackLocationToNext(irp);
            Io.setCompletionRoutine(irp, (d, i, c) -> {
                log.add("cancel-only routine, cancel=" + i.isCancel());
                return Io.STATUS_CONTINUE_COMPLETION;
            }, null, false, false, true);
            return Io.callDriver(lower, irp);
        });
        pendInLower((d, i) -> Io.completeRequest(i, STATUS_CANCELLED, 0));
        Irp irp = Io.allocateIrp(upper.stackSize(), sink);
        Io.getNextIrpStackLocation(irp).majorFunction(IRP_MJ_READ);
        Io.callDriver(upper, irp);

        Io.cancelIrp(irp);

        assertThat(log).containsExactly("cancel-only routine, cancel=true");
        assertThat(completedToSink).containsExactly(irp);
    }

    // ---------------------------------------------------------------- helpers

    /** The upper driver passes READs down with {@code routine} as its completion routine. */
    private void passDownWithRoutine(IoCompletionRoutine routine) {
        upperDriver.majorFunction(IRP_MJ_READ, (device, irp) -> {
            Io.copyCurrentIrpStackLocationToNext(irp);
            Io.setCompletionRoutine(irp, routine, "upper-context", true, true, true);
            return Io.callDriver(lower, irp);
        });
    }

    private void completeAtOnceInLower(int status) {
        lowerDriver.majorFunction(IRP_MJ_READ, (device, irp) -> Io.completeRequest(irp, status, 0));
    }

    /** The lower driver marks READs pending, keeps them in {@link #heldByLower} and returns STATUS_PENDING. */
    private void pendInLower(DriverCancel cancelRoutine) {
        lowerDriver.majorFunction(IRP_MJ_READ, (device, irp) -> {
            Io.markIrpPending(irp);
            if (cancelRoutine != null) {
                Io.setCancelRoutine(irp, cancelRoutine);
            }
            heldByLower = irp;
            return STATUS_PENDING;
        });
    }

    /** An IRP for the whole stack whose top location carries the I/O manager's own routine. */
    private Irp topIrpWithRoutine(int major) {
        Irp irp = Io.allocateIrp(upper.stackSize(), sink);
        Io.getNextIrpStackLocation(irp).majorFunction(major);
        Io.setCompletionRoutine(irp, (device, i, context) -> {
            log.add("top routine device=" + device);
            return Io.STATUS_CONTINUE_COMPLETION;
        }, null, true, true, true);
        return irp;
    }
}
