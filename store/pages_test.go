package store

import (
	"fmt"
	"sync"
	"testing"
)

// TestFinishPageGroupCommit finishes many pages at once: each caller gets
// its own result, every page and queued link is stored once, and a finish
// that cannot be committed fails alone, not the others sharing its commit.
func TestFinishPageGroupCommit(t *testing.T) {
	ws := TestStore(t)
	const n = 64
	var seeds []Pending
	for i := range n {
		seeds = append(seeds, Pending{URL: fmt.Sprintf("http://s.test/p%d", i), Kind: KindPage})
	}
	if _, err := ws.Enqueue("1", seeds); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	added := make([][]Pending, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			// every page links to the same shared page and to one of its own
			found := []Pending{{URL: "http://s.test/shared", Kind: KindPage, Depth: 1}, {URL: fmt.Sprintf("http://s.test/own%d", i), Kind: KindPage, Depth: 1}}
			added[i], _, errs[i] = ws.FinishPage("1", Finish{Page: Page{URL: seeds[i].URL, Kind: KindPage, Status: 200}, Found: found, Room: -1,
				Guards: map[string]int64{"max-query-variants": 1}})
		})
	}
	var badErr error
	wg.Go(func() { _, _, badErr = ws.FinishPage("", Finish{Page: Page{URL: "http://s.test/x"}}) })
	wg.Wait()
	if badErr == nil {
		t.Error("a finish for no organisation was committed")
	}
	shared := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("finish %d: %v", i, errs[i])
		}
		for _, a := range added[i] {
			if a.URL == "http://s.test/shared" {
				shared++
			}
		}
	}
	if shared != 1 {
		t.Errorf("the shared link was queued %d times, want once", shared)
	}
	front, _ := ws.Frontier("1")
	if len(front) != n+1 {
		t.Errorf("frontier has %d entries, want %d (the shared page and each own page)", len(front), n+1)
	}
	pages := 0
	ws.Pages("1", func(p *Page) error { pages++; return nil })
	if pages != n {
		t.Errorf("%d pages stored, want %d", pages, n)
	}
	g, err := ws.CrawlGuards("1")
	if err != nil || g["max-query-variants"] != n {
		t.Errorf("guard counters %v %v, want %d", g, err, n)
	}
}

// A fetched page keeps its first referrer only, but what a script loads
// (a menu fragment, fetch('header.html')), a script file and a document
// keep each page that links them: who loads a fragment tells a menu from
// a page.
func TestFurtherReferrersOfWhatScriptsLoad(t *testing.T) { // and of what framesets show
	ws := TestStore(t)
	const org = "1"
	frag, page, doc := "http://s.test/header.html", "http://s.test/about.html", "http://s.test/ustav.pdf"
	frame := "http://s.test/menu.html"    // a frameset's frame: mapping reads who shows it
	queued := "http://s.test/footer.html" // still queued while pages find it: the referrers wait in its frontier entry
	if _, err := ws.Enqueue(org, []Pending{{URL: queued, Kind: KindPage, Ref: Ref{URL: "http://s.test/", Via: ViaScript}}}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{frag, page, doc, frame} {
		if _, _, err := ws.FinishPage(org, Finish{Page: Page{URL: u, Kind: KindPage, Status: 200}, Room: -1}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		from := fmt.Sprintf("http://s.test/p%d.html", i)
		found := []Pending{
			{URL: frag, Kind: KindPage, Ref: Ref{URL: from, Via: ViaScript}},
			{URL: page, Kind: KindPage, Ref: Ref{URL: from, Anchor: "О школе"}},
			{URL: doc, Kind: KindAttachment, Ref: Ref{URL: from, Anchor: "Устав"}},
			{URL: queued, Kind: KindPage, Ref: Ref{URL: from, Via: ViaScript}},
			{URL: frame, Kind: KindPage, Ref: Ref{URL: from, Via: ViaFrame}},
		}
		if _, _, err := ws.FinishPage(org, Finish{Page: Page{URL: from, Kind: KindPage, Status: 200}, Found: found, Room: -1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := ws.FinishPage(org, Finish{Page: Page{URL: queued, Kind: KindPage, Status: 200}, Room: -1}); err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string]int{frag: 3, page: 0, doc: 3, queued: 4, frame: 3} {
		p, err := ws.Page(org, u)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Referrers) != want {
			t.Errorf("%s: %d referrers %v, want %d", u, len(p.Referrers), p.Referrers, want)
		}
	}
}
