//go:build linux || darwin || freebsd || netbsd || openbsd

package procstat

import (
	"runtime"
	"syscall"
	"time"
)

func now() Usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Usage{}
	}
	peak := float64(ru.Maxrss) / 1024 // KiB on Linux and the BSDs
	if runtime.GOOS == "darwin" {
		peak = float64(ru.Maxrss) / (1024 * 1024) // bytes on macOS
	}
	return Usage{CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), PeakMB: peak, OK: true}
}
