package procstat

import (
	"runtime"
	"testing"
)

func TestNowMeasuresThisProcess(t *testing.T) {
	u0 := Now()
	if !u0.OK {
		t.Skipf("no usage figures on %s", runtime.GOOS)
	}
	buf := make([][]byte, 0, 64)
	for range 64 {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(i)
		}
		buf = append(buf, b)
	}
	u1 := Now()
	if u1.CPU <= u0.CPU {
		t.Errorf("CPU did not grow: %v then %v", u0.CPU, u1.CPU)
	}
	// 64 MiB were touched: the peak is at least that, and not absurd (a
	// unit mistake would make it 1024 times off).
	if u1.PeakMB < 64 || u1.PeakMB > 64*1024 {
		t.Errorf("peak %0.1f MiB after touching 64 MiB", u1.PeakMB)
	}
	runtime.KeepAlive(buf)
}
