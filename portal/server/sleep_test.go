package server

import (
	"context"
	"testing"
	"time"
)

// The portal's latency waits at least what it was told, and ends early,
// answering false, when the client gives up.
func TestSleep(t *testing.T) {
	tests := []struct {
		name   string
		d      time.Duration
		cancel time.Duration // cancel the context after this (0: never)
		want   bool
	}{
		{"waits", 20 * time.Millisecond, 0, true},
		{"short", time.Microsecond, 0, true},
		{"cancelled", time.Minute, 10 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel > 0 {
				time.AfterFunc(tt.cancel, cancel)
			}
			start := time.Now()
			got := sleep(ctx, tt.d)
			took := time.Since(start)
			if got != tt.want {
				t.Fatalf("sleep(%v) = %v, want %v", tt.d, got, tt.want)
			}
			if tt.want && took < tt.d {
				t.Errorf("sleep(%v) returned after %v", tt.d, took)
			}
			if !tt.want && took >= tt.d {
				t.Errorf("a cancelled sleep(%v) took %v", tt.d, took)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if sleep(ctx, time.Minute) {
		t.Error("sleep with a context already done answered true")
	}
}
