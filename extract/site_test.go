package extract

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"perenos/charset"
	"perenos/store"
)

// sitePage is a page of a small school site: the same header, menu and
// footer on every page, and content of its own.
func sitePage(i int) string {
	return fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8"><title>Страница %d — Школа № 7</title></head><body>
<header><a href="/">Школа № 7 г. Ангарска</a></header>
<nav><ul><li><a href="/sveden/">Сведения об образовательной организации</a></li><li><a href="/news/">Новости</a></li><li><a href="/contacts/">Контакты</a></li></ul></nav>
<main><h1>Раздел %d</h1>
<p>Учебный год начинается первого сентября. На странице %d рассказано о том, как устроена работа школы, кто ведёт занятия и где найти расписание.</p>
<table><tr><th>ФИО</th><th>Должность</th></tr><tr><td>Иванова Мария Петровна</td><td>учитель математики</td></tr><tr><td>Петров Иван Сергеевич %d</td><td>учитель физики</td></tr></table>
<p><a href="/files/pravila_priema.docx">Правила приёма</a></p></main>
<footer>© 2010–2023 МБОУ «СОШ № 7», 665800, г. Ангарск, ул. Ленина, 1</footer></body></html>`, i, i, i, i)
}

// TestExtractSiteCommitsEveryDocument runs the extract stage in a real
// workspace on a site smaller than the warm-up (its documents come out of
// Finish) and on one larger (out of Add), and checks that its one commit
// stores every page's document as a Site makes it from the same pages,
// the attachment's text, and nothing left from the previous extraction.
func TestExtractSiteCommitsEveryDocument(t *testing.T) {
	for _, n := range []int{5, DefaultWarmup + 9} {
		t.Run(fmt.Sprintf("%d pages", n), func(t *testing.T) { testExtractSiteCommits(t, n) })
	}
}

func testExtractSiteCommits(t *testing.T, n int) {
	ws := store.TestStore(t)
	org := &store.Org{ID: "3801012345"}
	fetched := time.Date(2023, 11, 20, 10, 0, 0, 0, time.UTC)
	finish := func(p store.Page, data []byte) {
		t.Helper()
		id, err := ws.Blobs.PutBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		p.Blob, p.Size, p.Status, p.FetchedAt = id, int64(len(data)), 200, fetched
		if _, _, err := ws.FinishPage(org.ID, store.Finish{Page: p, Room: -1}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		finish(store.Page{URL: fmt.Sprintf("http://sch7.test/page%02d.html", i), Kind: store.KindPage, ContentType: "text/html; charset=utf-8"}, []byte(sitePage(i)))
	}
	docx, err := os.ReadFile("../testdata/sites/school/files/pravila_priema.docx")
	if err != nil {
		t.Fatal(err)
	}
	const docxURL = "http://sch7.test/files/pravila_priema.docx"
	finish(store.Page{URL: docxURL, Kind: store.KindAttachment, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", FileName: "pravila_priema.docx"}, docx)
	// A page that answered 404 has no document.
	if _, _, err := ws.FinishPage(org.ID, store.Finish{Page: store.Page{URL: "http://sch7.test/gone.html", Kind: store.KindPage, Status: 404}, Room: -1}); err != nil {
		t.Fatal(err)
	}
	// The previous extraction's document of a page the site no longer has.
	if err := ws.Update(func(tx store.Tx) error {
		return Docs.Put(tx, org.ID, "http://sch7.test/old.html", &Document{URL: "http://sch7.test/old.html", Text: strings.Repeat("старое ", 200)})
	}); err != nil {
		t.Fatal(err)
	}

	sum, commit, err := ExtractSite(context.Background(), ws, ws.Blobs, org, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Documents != n || sum.Pages != n || sum.Failed != 0 || sum.Attachments != 1 {
		t.Errorf("summary %+v, want %d documents of %d pages, none failed, one attachment read", sum, n, n)
	}
	if err := ws.Update(commit); err != nil {
		t.Fatal(err)
	}

	// The same pages through a Site directly: what the commit must hold.
	want := map[string]*Document{}
	site := NewSite(SiteOptions{})
	keep := func(rs []Result) {
		for _, r := range rs {
			if r.Err != nil {
				t.Fatalf("%s: %v", r.URL, r.Err)
			}
			want[r.URL] = r.Doc
		}
	}
	if err := ws.Pages(org.ID, func(p *store.Page) error {
		if p.Kind != store.KindPage || !p.OK() {
			return nil
		}
		raw, err := ws.Blobs.Read(p.Blob)
		if err != nil {
			return err
		}
		keep(site.Add(Page{URL: p.URL, Text: charset.Decode(raw, p.ContentType).Text, CrawlDate: p.FetchedAt.Format("2006-01-02")}))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	keep(site.Finish())

	got, err := Docs.All(ws, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	gotKeys, wantKeys := keysOf(got), keysOf(want)
	if !slices.Equal(gotKeys, wantKeys) || len(gotKeys) != n {
		t.Fatalf("stored documents %v, want the %d pages %v", gotKeys, n, wantKeys)
	}
	for url, w := range want {
		gj, _ := json.Marshal(got[url])
		wj, _ := json.Marshal(w)
		if string(gj) != string(wj) {
			t.Errorf("%s: stored document differs from the extracted one:\n got %s\nwant %s", url, gj, wj)
		}
		if !strings.Contains(got[url].Text, "Учебный год начинается") {
			t.Errorf("%s: the page's content is not in its stored text %q", url, got[url].Text)
		}
	}
	at, err := AttachTexts.Get(ws, org.ID, docxURL)
	if err != nil {
		t.Fatal(err)
	}
	if at.Error != "" || len([]rune(at.Text)) < 50 {
		t.Errorf("attachment text %+v: want the DOCX's text", at)
	}
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
