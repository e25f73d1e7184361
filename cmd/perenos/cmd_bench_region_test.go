package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchRegionServeOnly: the hidden serving mode the benchmark starts
// itself in reads the spec, says its address, and ends when stdin closes.
func TestBenchRegionServeOnly(t *testing.T) {
	stdout, stderr, code := perenosCLIIn(t, t.TempDir(), `{"sites":3,"pages":5}`+"\n", "bench", "region", "--serve-only")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ready struct{ Addr string }
	if err := json.Unmarshal([]byte(stdout), &ready); err != nil || !strings.HasPrefix(ready.Addr, "127.0.0.1:") {
		t.Errorf("answer %q (%v); want the loopback address", stdout, err)
	}
	if _, stderr, code := perenosCLIIn(t, t.TempDir(), "{not json\n", "bench", "region", "--serve-only"); code == 0 || !strings.Contains(stderr, "spec") {
		t.Errorf("a bad spec: exit %d, %s", code, stderr)
	}
}

func TestBenchRegionArguments(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "region", "--sites", "0"},
		{"bench", "region", "--pages", "2"},
		{"bench", "region", "--sites", "3", "--large-sites", "4"},
	} {
		if _, stderr, code := perenosCLI(t, t.TempDir(), args...); code == 0 || !strings.Contains(stderr, "bench region") {
			t.Errorf("%v: exit %d, stderr %q; want an error", args, code, stderr)
		}
	}
}
