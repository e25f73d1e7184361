package backoff

import (
	"net/http"
	"testing"
	"time"
)

func TestDelayStaysWithinItsCap(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: time.Second}
	for _, c := range []struct {
		attempt int
		ceil    time.Duration
	}{{0, 100 * time.Millisecond}, {1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond}, {5, time.Second}, {60, time.Second}} {
		var least, most time.Duration = time.Hour, 0
		for range 2000 {
			d := p.Delay(c.attempt)
			least, most = min(least, d), max(most, d)
		}
		if least <= 0 || most > c.ceil+time.Millisecond {
			t.Errorf("attempt %d: delays in [%v, %v], want (0, %v]", c.attempt, least, most, c.ceil)
		}
		if most < c.ceil/2 {
			t.Errorf("attempt %d: largest of 2000 delays %v: not jittered over the whole range up to %v", c.attempt, most, c.ceil)
		}
	}
}

func TestWaitHonoursRetryAfterUpToMax(t *testing.T) {
	p := Policy{Base: 10 * time.Millisecond, Max: 5 * time.Second}
	if w := p.Wait(1, 3*time.Second); w != 3*time.Second {
		t.Errorf("Wait with Retry-After 3s = %v", w)
	}
	if w := p.Wait(1, time.Hour); w != 5*time.Second {
		t.Errorf("Wait with Retry-After 1h = %v, want the 5s cap", w)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 2 ", 2 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"99999999999", 24 * time.Hour},
	} {
		if got := RetryAfter(c.h, now); got != c.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", c.h, got, c.want)
		}
	}
}
