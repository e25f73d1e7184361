//go:build !linux

package regionbench

// resetPeak cannot start a new peak outside Linux: stages report no peak
// of their own there, only the run's (peak_rss_mb).
func resetPeak() bool { return false }

func stagePeakMB() float64 { return 0 }

func loadAverage() float64 { return 0 }

func anonMB() float64 { return 0 }
