package uploader

import (
	"context"
	"sync"
	"testing"
	"time"

	"perenos/portal"
	"perenos/portal/server"
)

// countingProgress records what an upload reports.
type countingProgress struct {
	mu      sync.Mutex
	sent    int
	retries int
}

func (c *countingProgress) Sent(org string, kind portal.Kind, err error) {
	c.mu.Lock()
	c.sent++
	c.mu.Unlock()
}

func (c *countingProgress) Retried(kind portal.Kind, key string, attempt int, wait time.Duration, err error) {
	c.mu.Lock()
	c.retries++
	c.mu.Unlock()
}

// A portal that answers 503 half the time: every write is retried until it
// goes, and each try again is reported, so a person watching sees the
// retries the upload lives through.
func TestRetriesAreReported(t *testing.T) {
	hs, _ := server.TestServer(t, server.Config{Faults: server.Faults{FailRate: 0.5, RetryAfter: time.Millisecond}}, "sh1")
	prog := &countingProgress{}
	target := NewPortal(hs.URL, map[string]string{"sh1": server.TestToken("sh1")},
		PortalOptions{Retry: RetryOptions{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxAttempts: 30, Progress: prog}})
	if _, err := target.Put(context.Background(), "sh1", "sh1.s.sveden", &portal.Section{Title: "Сведения", Path: "/sveden/"}); err != nil {
		t.Fatalf("section: %v", err)
	}
	for i := range 20 {
		p := &portal.Page{Section: "sh1.s.sveden", Title: "Страница", Body: "текст", SourceURL: "http://old.example/p"}
		if _, err := target.Put(context.Background(), "sh1", "sh1.p.page-"+string(rune('a'+i)), p); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if prog.retries == 0 {
		t.Fatal("half the answers were 503 and no retry was reported")
	}
}
