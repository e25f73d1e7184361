// Package procstat reads what the process has used so far: CPU time and
// peak resident memory, for the benchmarks' figures. Operating systems
// report these differently (Linux gives peak memory in KiB, macOS in
// bytes); this package says them in one unit.
package procstat

import "time"

// Usage is the process's resources used so far.
type Usage struct {
	CPU    time.Duration // user and system time
	PeakMB float64       // peak resident set, in MiB (0 when unknown)
	OK     bool          // false where the system does not report them
}

// Now reads the process's usage.
func Now() Usage { return now() }
