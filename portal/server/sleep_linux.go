package server

import (
	"context"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// sleep waits d, or until ctx is done (false). On Linux it waits on a
// timerfd, which the kernel fires on time: the Go runtime serves its
// timers through a poller that sleeps in whole milliseconds, so a 20 ms
// timer fires 0.3-0.8 ms late on a busy machine, and the portal would add
// more latency than it was told to.
func sleep(ctx context.Context, d time.Duration) bool {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return sleepTimer(ctx, d)
	}
	f := os.NewFile(uintptr(fd), "timerfd") // non-blocking: read through the poller
	defer f.Close()
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := unix.TimerfdSettime(fd, 0, &spec, nil); err != nil {
		return sleepTimer(ctx, d)
	}
	defer context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })()
	var expirations [8]byte
	_, err = f.Read(expirations[:])
	return err == nil && ctx.Err() == nil
}
