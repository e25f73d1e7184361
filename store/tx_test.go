package store

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

type note struct {
	Text string `json:"text"`
	N    int    `json:"n"`
}

var notes = Record[note]{Kind: "notes"}

func TestUpdateCommitsAllOrNothing(t *testing.T) {
	ws := TestStore(t)
	if _, err := ws.UpsertOrg("test", Org{ID: "o1", Name: "Школа", Type: School, LegacyURL: "http://x.example/"}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := ws.Update(func(tx Tx) error {
		if err := notes.Put(tx, "o1", "a", &note{Text: "первая", N: 1}); err != nil {
			return err
		}
		if err := tx.Advance("o1", StageCrawl, "test", "crawled"); err != nil {
			return err
		}
		if _, err := tx.NextSeq("acts"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	if _, err := notes.Get(ws, "o1", "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("record written by a failed transaction: %v", err)
	}
	if o, _ := ws.Org("o1"); o.State != Registered {
		t.Errorf("state moved by a failed transaction: %s", o.State)
	}
	if n, _ := ws.Seq("acts"); n != 0 {
		t.Errorf("counter advanced by a failed transaction: %d", n)
	}
	if evs, _ := ws.Events("o1"); len(evs) != 1 {
		t.Errorf("events after a failed transaction: %d, want only the import", len(evs))
	}

	if err := ws.Update(func(tx Tx) error {
		if err := notes.Replace(tx, "o1", map[string]*note{"b": {Text: "вторая", N: 2}, "c": {N: 3}}); err != nil {
			return err
		}
		return tx.Advance("o1", StageCrawl, "test", "crawled")
	}); err != nil {
		t.Fatal(err)
	}
	all, err := notes.All(ws, "o1")
	if err != nil || len(all) != 2 || all["b"].Text != "вторая" {
		t.Fatalf("All = %v, %v", all, err)
	}
	if o, _ := ws.Org("o1"); o.State != Crawled {
		t.Errorf("state = %s, want crawled", o.State)
	}
}

func TestClipTextKeepsUTF8(t *testing.T) {
	long := strings.Repeat("ы", 1500) // 3000 bytes
	for _, n := range []int{MaxReason, 1, 2, 3, 4, 5, 2001} {
		got := ClipText(long, n)
		if !utf8.ValidString(got) {
			t.Errorf("ClipText(_, %d) is not valid UTF-8", n)
		}
		if len(got) > n && n >= len("…") {
			t.Errorf("ClipText(_, %d) has %d bytes", n, len(got))
		}
	}
	if got := ClipText("коротко", 100); got != "коротко" {
		t.Errorf("short text changed: %q", got)
	}
	if got := ClipText("a\xffb", 100); !utf8.ValidString(got) {
		t.Errorf("invalid input kept invalid: %q", got)
	}
}

func TestEventReasonIsCutAtACharacter(t *testing.T) {
	ws := TestStore(t)
	if _, err := ws.UpsertOrg("test", Org{ID: "o1", Name: "Школа", Type: School}); err != nil {
		t.Fatal(err)
	}
	// 2,000 bytes fall in the middle of a two-byte letter.
	reason := "x" + strings.Repeat("ж", 1500)
	if err := ws.Log(Event{Actor: "test", Org: "o1", Kind: EventEdit, Reason: reason}); err != nil {
		t.Fatal(err)
	}
	evs, _ := ws.Events("o1")
	got := evs[len(evs)-1].Reason
	if !utf8.ValidString(got) || len(got) > MaxReason || !strings.HasSuffix(got, "…") {
		t.Errorf("stored reason: %d bytes, valid %v, ends %q", len(got), utf8.ValidString(got), got[max(len(got)-6, 0):])
	}
}

func TestLeaseIsExclusive(t *testing.T) {
	ws := TestStore(t)
	release, err := ws.Lease("o1", "crawl by operator:a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ws.Lease("o1", "map by operator:b")
	var be *BusyError
	if !errors.As(err, &be) || be.Holder != "crawl by operator:a" {
		t.Fatalf("second lease: %v", err)
	}
	if r2, err := ws.Lease("o2", "map"); err != nil {
		t.Errorf("another site: %v", err)
	} else {
		r2()
	}
	release()
	release() // twice is harmless
	r3, err := ws.Lease("o1", "map by operator:b")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	r3()
}
