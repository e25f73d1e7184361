package uploader

import (
	"context"
	"sync"
	"testing"
	"time"

	"perenos/portal"
	"perenos/portal/server"
	"perenos/store"
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

// durableIDs is the ledger's ID map counting the entries it has committed.
type durableIDs struct {
	*store.Workspace
	mu        sync.Mutex
	committed int
}

func (d *durableIDs) PutIDEntries(org string, p store.PortalID, es ...store.IDEntry) error {
	if err := d.Workspace.PutIDEntries(org, p, es...); err != nil {
		return err
	}
	d.mu.Lock()
	d.committed += len(es)
	d.mu.Unlock()
	return nil
}

// orderProgress checks, at each item reported sent, that the ID map holds
// at least as many durable entries as items were reported.
type orderProgress struct {
	ids  *durableIDs
	mu   sync.Mutex
	sent int
	bad  int // reports that came before their entry was committed
}

func (o *orderProgress) Sent(org string, kind portal.Kind, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent++
	o.ids.mu.Lock()
	if o.sent > o.ids.committed {
		o.bad++
	}
	o.ids.mu.Unlock()
}

func (o *orderProgress) Retried(portal.Kind, string, int, time.Duration, error) {}

// An item is reported sent only once its ID map entry is durable: a
// progress display (or anything listening) never counts as done an item
// that a kill -9 at that moment would make the next run send again.
func TestProgressHearsOnlyDurableItems(t *testing.T) {
	ids := &durableIDs{Workspace: store.TestStore(t)}
	prog := &orderProgress{ids: ids}
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	ops := SyntheticSite(org.ID, 150, 50)
	rep, err := MakePlan("mem", ops, nil, Options{}).Execute(context.Background(), ids, NewMemory(), org,
		ExecOptions{Concurrency: 8, Progress: prog})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != len(ops) || prog.sent != len(ops) {
		t.Fatalf("created %d, reported %d, want %d of each", rep.Created, prog.sent, len(ops))
	}
	if prog.bad > 0 {
		t.Errorf("%d of %d items were reported sent before their ID map entry was committed", prog.bad, prog.sent)
	}
}
