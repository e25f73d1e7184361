package crawlbench

import (
	"time"

	"golang.org/x/sys/windows"
)

// usage is the process's CPU time so far; peak memory is not measured on
// Windows (0).
func usage() (cpu time.Duration, peakRSS int64) {
	var creation, exit, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(windows.CurrentProcess(), &creation, &exit, &kernel, &user); err != nil {
		return 0, 0
	}
	ft := func(f windows.Filetime) time.Duration {
		return time.Duration((int64(f.HighDateTime)<<32 | int64(f.LowDateTime)) * 100)
	}
	return ft(kernel) + ft(user), 0
}
