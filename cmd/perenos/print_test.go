package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"perenos/store"
)

// TestLegacyTextPrintedSafely: registry and event text reaching the
// terminal through orgs list, orgs show and events cannot carry escape
// sequences, C1 controls, bidi overrides or line breaks; they are shown
// as escapes (issue 15 item 11). The registry refuses such text now, but
// ledgers imported before it, and error messages quoting legacy pages,
// may still hold it.
func TestLegacyTextPrintedSafely(t *testing.T) {
	home := t.TempDir()
	ws, err := store.Open(context.Background(), home, store.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	org := store.Org{ID: "3801000001", Name: "Школа\x1b]0;owned\x07\x1b[2J\u009b31m", Type: store.School,
		Region: "Иркутская\u202eобласть", District: "Ангарский\nподдельная строка", PortalSite: "s1", LegacyURL: "http://s1.example.ru/"}
	if _, err := ws.UpsertOrg("test\x1b[8m", org); err != nil {
		t.Fatal(err)
	}
	if err := ws.Fail(org.ID, store.StageCrawl, "test", errors.New("page «\x1b[31mкрасный» not parsed")); err != nil {
		t.Fatal(err)
	}
	ws.Close()
	for _, args := range [][]string{{"orgs", "list"}, {"orgs", "show", org.ID}, {"events", org.ID}} {
		out, stderr, code := perenosCLI(t, home, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "Ангарский\nподдельная"} {
			if strings.Contains(out, bad) {
				t.Errorf("%v prints %q raw:\n%s", args, bad, out)
			}
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("%v: the escape is not shown as \\x1b:\n%s", args, out)
		}
	}
}
