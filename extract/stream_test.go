package extract

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func legacySite(n int) []Page {
	var out []Page
	for i := range n {
		out = append(out, Page{URL: fmt.Sprintf("http://sch7.example/p%d.html", i),
			Text: legacyPage(fmt.Sprintf("Страница %d", i), fmt.Sprintf("<p>Текст страницы номер %d, свой для каждой страницы сайта.</p>", i))})
	}
	return out
}

// twoPass is the old way: learn every page, then parse each again and extract.
func twoPass(t *testing.T, pages []Page) map[string]*Document {
	t.Helper()
	tmpl := NewTemplate()
	for _, p := range pages {
		doc, err := Parse(p.Text)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.Learn(doc)
	}
	out := map[string]*Document{}
	for _, p := range pages {
		doc, _ := Parse(p.Text)
		d, err := Extract(p.URL, doc, Options{Template: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		out[p.URL] = d
	}
	return out
}

func stream(t *testing.T, pages []Page, warmup int) (map[string]*Document, []int) {
	t.Helper()
	s := NewSite(SiteOptions{Warmup: warmup})
	out := map[string]*Document{}
	var sizes []int
	collect := func(rs []Result) {
		sizes = append(sizes, len(rs))
		for _, r := range rs {
			if r.Err != nil {
				t.Fatalf("%s: %v", r.URL, r.Err)
			}
			out[r.URL] = r.Doc
		}
	}
	for _, p := range pages {
		collect(s.Add(p))
	}
	collect(s.Finish())
	return out, sizes
}

// TestSiteWithinWarmupMatchesTwoPasses: a site no larger than the warm-up
// comes out as it did when every page was parsed twice.
func TestSiteWithinWarmupMatchesTwoPasses(t *testing.T) {
	pages := legacySite(6)
	want := twoPass(t, pages)
	got, sizes := stream(t, pages, 8)
	if !reflect.DeepEqual(sizes, []int{0, 0, 0, 0, 0, 0, 6}) {
		t.Errorf("pages released per call: %v, want all six at Finish", sizes)
	}
	if !reflect.DeepEqual(got, want) {
		for u := range want {
			if !reflect.DeepEqual(got[u], want[u]) {
				t.Errorf("%s differs:\nstreamed %+v\ntwo passes %+v", u, got[u], want[u])
			}
		}
	}
	for u, d := range got {
		if strings.Contains(d.Markdown, "Версия для слабовидящих") || strings.Contains(d.Markdown, "Новости") {
			t.Errorf("%s kept the template:\n%s", u, d.Markdown)
		}
	}
}

// TestSiteStreamsAfterWarmup: past the warm-up each page comes out as it
// is added, its template dropped, and no more than the warm-up is held.
func TestSiteStreamsAfterWarmup(t *testing.T) {
	pages := legacySite(12)
	got, sizes := stream(t, pages, 4)
	if want := []int{0, 0, 0, 4, 1, 1, 1, 1, 1, 1, 1, 1, 0}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("pages released per call: %v, want %v", sizes, want)
	}
	if len(got) != 12 {
		t.Fatalf("%d documents, want 12", len(got))
	}
	for i, p := range pages {
		d := got[p.URL]
		if !strings.Contains(d.Markdown, fmt.Sprintf("номер %d,", i)) {
			t.Errorf("%s lost its own text:\n%s", p.URL, d.Markdown)
		}
		for _, gone := range []string{"Версия для слабовидящих", "Вакантные места", "2005–2023"} {
			if strings.Contains(d.Markdown, gone) {
				t.Errorf("%s kept template text %q:\n%s", p.URL, gone, d.Markdown)
			}
		}
	}
}

// TestBlocksMatchFingerprint: the one-pass fingerprints of a page are the
// fingerprints of its blocks taken one by one.
func TestBlocksMatchFingerprint(t *testing.T) {
	doc, err := Parse(legacyPage("Питание", `<div class="x"><p>Меню <b>на</b> неделю</p><img src="/m.png"><button>Печать</button></div>
<table><tr><td>1</td><td>2</td></tr><tr><td>1</td><td>2</td></tr></table>`))
	if err != nil {
		t.Fatal(err)
	}
	b := PageBlocks(doc)
	if b.Len() < 20 {
		t.Fatalf("only %d blocks fingerprinted", b.Len())
	}
	ones := map[uint64]bool{}
	walk(doc, func(n *html.Node) bool {
		fp, ok := fingerprint(n)
		if bfp, bok := b.fp[n]; ok != bok || fp != bfp {
			t.Errorf("<%s> %q: alone %x %v, in the page %x %v", n.Data, textHead(n, 40), fp, ok, bfp, bok)
		}
		if ok && n.Data == "td" && textHead(n, 5) == "1" {
			ones[fp] = true
		}
		return true
	})
	// equal cells in different rows and tables sit in different places:
	// the calendar's «1» and the two of the page's table
	if len(ones) != 3 {
		t.Errorf("the three cells «1» have %d fingerprints, want 3", len(ones))
	}
}

// TestTemplatePrunesRareBlocks: the counts of a long site stay bounded by
// its template, not by its content, and the template survives pruning.
func TestTemplatePrunesRareBlocks(t *testing.T) {
	tmpl := NewTemplate()
	pages := legacySite(3 * pruneEvery)
	var last *html.Node
	for _, p := range pages {
		doc, err := Parse(p.Text)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.Learn(doc)
		last = doc
	}
	if n := len(tmpl.counts); n > 2*pruneEvery {
		t.Errorf("%d blocks counted after %d pages of one template", n, tmpl.Pages())
	}
	menu := 0
	walk(last, func(n *html.Node) bool {
		if n.Data == "li" && tmpl.IsBoilerplate(n) {
			menu++
		}
		return true
	})
	if menu != 4 {
		t.Errorf("%d menu items known as template after pruning, want 4", menu)
	}
}

// BenchmarkSite compares the streaming pass with the two passes it
// replaces, over a site of 64 pages (one op is the whole site).
func BenchmarkSite(b *testing.B) {
	pages := legacySite(64)
	b.Run("stream", func(b *testing.B) {
		for b.Loop() {
			s := NewSite(SiteOptions{})
			for _, p := range pages {
				s.Add(p)
			}
			s.Finish()
		}
	})
	b.Run("two-pass", func(b *testing.B) {
		for b.Loop() {
			tmpl := NewTemplate()
			for _, p := range pages {
				doc, _ := Parse(p.Text)
				tmpl.Learn(doc)
			}
			for _, p := range pages {
				doc, _ := Parse(p.Text)
				if _, err := Extract(p.URL, doc, Options{Template: tmpl}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
