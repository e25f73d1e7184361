//go:build !unix

package zyte

import "time"

// cpuTime is not measured on this system; the wall clock stands in.
func cpuTime() (time.Duration, bool) { return 0, false }
