package mapping

import (
	"crypto/sha256"
	"strings"
	"testing"
	"unicode/utf8"

	"perenos/extract"
	"perenos/store"
)

// FuzzSiteNav feeds arbitrary bytes as a page's HTML to the menu reader
// and the whole-site reasoning: nothing may panic, every menu entry has a
// text, and every page ends up in the plan exactly once.
func FuzzSiteNav(f *testing.F) {
	f.Add([]byte(`<ul><li><a href="/a">Сведения</a><ul><li><a href="/b">Документы</a></li></ul></li></ul>`))
	f.Add([]byte(`<div><span>Родителям</span><ul><li><a href="b.html">Логопед</a></li></ul></div>`))
	f.Add([]byte(`<li><button>Меню</button><div><ul><li><a href="#">x</a><a href="javascript:1">y</a></li></ul></div>`))
	f.Add([]byte("<ul><li><a href=\"\xff\xfe\">\x00</a></ul></li></li><a href=%zz>"))
	prof := profiles(f)[store.School]
	f.Fuzz(func(t *testing.T, raw []byte) {
		const u = "http://s.example/"
		doc, err := extract.Parse(string(raw))
		if err != nil {
			return
		}
		d, err := extract.Extract(u, doc, extract.Options{})
		if err != nil {
			return
		}
		for i := range d.Links {
			d.Links[i].InContent = false // treat every link as the menu's
		}
		id := store.BlobID(sha256.Sum256(raw))
		in := Input{Org: &store.Org{ID: "1", Type: store.School, LegacyURL: u}, Docs: map[string]*extract.Document{u: d},
			Pages: []*store.Page{{URL: u, Kind: store.KindPage, Status: 200, Blob: id}}, Blobs: memBlobs{id: raw}}
		for _, l := range d.Links {
			if l.URL != u && !strings.Contains(l.URL, "#") {
				in.Pages = append(in.Pages, &store.Page{URL: l.URL, Kind: store.KindPage, Status: 404})
			}
		}
		for _, es := range siteNav(in, in.Pages, nil) {
			for _, e := range es {
				if e.text == "" || !utf8.ValidString(strings.Join(e.path(), "")) && utf8.ValidString(string(raw)) {
					t.Fatalf("menu entry %+v", e)
				}
			}
		}
		plan := Build(prof, in, Options{})
		n := 0
		plan.eachItem(func(it *Item) {
			if it.SourceURL == u && (it.Kind == KindPage || it.Kind == KindNews) {
				n++
			}
		})
		if n == 0 {
			t.Fatalf("the page is not in the plan")
		}
	})
}

// FuzzKindOf reads arbitrary titles, file names and texts for a kind.
func FuzzKindOf(f *testing.F) {
	f.Add("Договор об оказании платных услуг", "dogovor.pdf", "УТВЕРЖДЕН\nпостановлением\nУСТАВ")
	f.Add("", "plan_fhd_2015.pdf", "")
	f.Add("\xff", "..", "\n\n\n")
	prof := profiles(f)[store.School]
	f.Fuzz(func(t *testing.T, title, file, text string) {
		k, from := prof.kindOf(stemmer{}, title, file, text)
		if (k == "") != (from == "") || k != "" && !prof.hasKind(k) {
			t.Fatalf("kindOf = %q, %q", k, from)
		}
		_ = skeletons(title + file)
	})
}
