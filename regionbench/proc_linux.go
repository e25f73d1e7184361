package regionbench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
)

// resetPeak starts a new peak of resident memory (Linux keeps the peak
// since the last reset as VmHWM), so that each stage's own peak can be
// read; it reports whether it could.
func resetPeak() bool { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil }

// stagePeakMB is the peak resident memory since resetPeak, in MiB (0 when
// unknown).
func stagePeakMB() float64 { return statusMB("VmHWM:") }

// loadAverage is the system's one-minute load average (0 when unknown):
// the benchmark's figures mean little on a loaded machine, so it says how
// loaded the machine was.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := bytes.Fields(data)
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(string(f[0]), 64)
	return v
}

// anonMB is the process's resident anonymous memory (its heap and stacks,
// not the ledger's file pages that bbolt maps and the kernel may drop),
// in MiB (0 when unknown).
func anonMB() float64 { return statusMB("RssAnon:") }

// statusMB reads one of the kB fields of /proc/self/status, in MiB (0 when
// unknown).
func statusMB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if f := bytes.Fields(sc.Bytes()); len(f) >= 2 && string(f[0]) == field {
			kb, _ := strconv.ParseFloat(string(f[1]), 64)
			return kb / 1024
		}
	}
	return 0
}
