package crawlbench

import (
	"math"
	"testing"
	"time"
)

// TestRatiosOfWhatWasServed: the figures read from the requests each site
// was served, at a limit of 10 requests a second.
func TestRatiosOfWhatWasServed(t *testing.T) {
	const rate = 10.0
	spaced := func(r *Region, site, n int, from time.Time, gap time.Duration) {
		for k := range n {
			r.note(site, from.Add(time.Duration(k)*gap).UnixNano())
		}
	}
	t0 := time.Unix(1000, 0)
	cases := []struct {
		name        string
		sites       int
		slots       int
		serve       func(r *Region)
		while, idea float64
	}{
		{"two sites at the limit", 2, 2, func(r *Region) {
			spaced(r, 0, 10, t0, 100*time.Millisecond)
			spaced(r, 1, 10, t0, 100*time.Millisecond)
		}, 1, 1},
		{"a site at half the limit", 1, 1, func(r *Region) {
			spaced(r, 0, 10, t0, 200*time.Millisecond)
		}, 1 / 1.9, 1},
		{"faster than the limit counts as at it", 1, 1, func(r *Region) {
			spaced(r, 0, 10, t0, 10*time.Millisecond)
		}, 1, 1},
		{"three sites on two slots: the third runs alone", 3, 2, func(r *Region) {
			spaced(r, 0, 10, t0, 100*time.Millisecond)
			spaced(r, 1, 10, t0, 100*time.Millisecond)
			spaced(r, 2, 10, t0.Add(time.Second), 100*time.Millisecond)
		}, 1, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Region{Sites: c.sites}
			c.serve(r)
			if got := r.RatioWhileCrawling(rate); math.Abs(got-c.while) > 1e-9 {
				t.Errorf("ratio while crawling %.4f, want %.4f", got, c.while)
			}
			if got := r.IdealSeconds(rate, c.slots); math.Abs(got-c.idea) > 1e-9 {
				t.Errorf("ideal seconds %.4f, want %.4f", got, c.idea)
			}
		})
	}
}
