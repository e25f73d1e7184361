package store

import (
	"context"
	"testing"
)

// TestStore opens a fresh workspace in a temporary folder for tests.
func TestStore(t testing.TB) *Workspace {
	t.Helper()
	ws, err := Open(context.Background(), t.TempDir(), Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}
