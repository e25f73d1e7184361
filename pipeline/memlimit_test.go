package pipeline

import (
	"math"
	"runtime/debug"
	"testing"
)

// The batch's memory limit is set and given back; the operator's
// GOMEMLIMIT stands unless a limit is given explicitly; 0 is no limit.
func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	cases := []struct {
		name     string
		env      string
		mib      int
		explicit bool
		want     int64 // the limit in effect; -1: the one before
	}{
		{"default", "", DefaultMemoryLimitMiB, false, DefaultMemoryLimitMiB << 20},
		{"none", "", 0, true, math.MaxInt64},
		{"operator's flag", "", 300, true, 300 << 20},
		{"GOMEMLIMIT kept", "100MiB", DefaultMemoryLimitMiB, false, -1},
		{"flag over GOMEMLIMIT", "100MiB", 300, true, 300 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", c.env)
			restore, limit := SetMemoryLimit(c.mib, c.explicit)
			want := c.want
			if want == -1 {
				want = before
			}
			if got := debug.SetMemoryLimit(-1); got != want || limit != want {
				t.Errorf("limit %d (said %d), want %d", got, limit, want)
			}
			restore()
			if got := debug.SetMemoryLimit(-1); got != before {
				t.Errorf("after restore the limit is %d, want %d", got, before)
			}
		})
	}
}
