package urlaudit

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"perenos/crawler"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/store"
)

const nav = `<nav><a href="/">Главная</a> <a href="/sveden/common.html">Основные сведения</a> <a href="/news.html">Новости</a></nav>`

// site is a small school site written for this test: a page that links a
// missing page and a page robots.txt forbids, and an old address that
// redirects.
var site = map[string]string{
	"/robots.txt": "User-agent: *\nDisallow: /private/\n",
	"/":           `<html><head><title>Школа № 9</title></head><body>` + nav + `<main><h1>Школа № 9</h1><p>Добро пожаловать на сайт школы.</p></main></body></html>`,
	"/sveden/common.html": `<html><head><title>Основные сведения</title></head><body>` + nav + `<main><h1>Основные сведения</h1>
<p>Полное наименование: МБОУ СОШ № 9. Учредитель: администрация. Дата создания: 1970.</p>
<p>См. <a href="/history.html">историю школы</a> и <a href="/private/board.html">внутренний раздел</a>.</p></main></body></html>`,
	"/news.html": `<html><head><title>Новости</title></head><body>` + nav + `<main><h1>Новости</h1><p>15.09.2024 Прошёл день здоровья. <a href="/old-news.html">Архив</a></p></main></body></html>`,
}

func serve(t *testing.T) string {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old-news.html" {
			http.Redirect(w, r, "/news.html", http.StatusMovedPermanently)
			return
		}
		body, ok := site[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".txt") {
			w.Header().Set("Content-Type", "text/plain")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

func crawled(t *testing.T) (*store.Workspace, *store.Org, string) {
	t.Helper()
	base := serve(t)
	ws := store.TestStore(t)
	if _, err := ws.UpsertOrg("test", store.Org{ID: "3801000009", Name: "Школа № 9", Type: store.School, LegacyURL: base + "/", PortalSite: "sh9"}); err != nil {
		t.Fatal(err)
	}
	o, _ := ws.Org("3801000009")
	profiles, err := mapping.LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	r := &pipeline.Runner{WS: ws, Actor: "test"}
	crawl := pipeline.Crawl{Options: crawler.Options{Net: crawler.NetOptions{AllowPrivate: true}, Delay: time.Millisecond}}
	if res := r.Run(context.Background(), []*store.Org{o}, pipeline.RunSteps(crawl, pipeline.Map{Profiles: profiles})...); res.Failed > 0 {
		t.Fatalf("%+v", res.Outcomes)
	}
	o, _ = ws.Org(o.ID)
	return ws, o, base
}

func TestAuditListsEveryURLWithWhereItWent(t *testing.T) {
	ws, o, base := crawled(t)
	rows, err := Audit(ws, o.ID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Row{}
	for _, r := range rows {
		by[strings.TrimPrefix(r.URL, base)] = r
	}
	if r := by["/sveden/common.html"]; r.Status != 200 || r.Placement != Placed || len(r.Sections) == 0 || r.Inlinks == 0 || r.Title == "" {
		t.Errorf("common.html: %+v", r)
	}
	if r := by["/history.html"]; r.Status != 404 || r.Placement == Placed {
		t.Errorf("missing page: %+v", r)
	}
	if r := by["/private/board.html"]; r.Exclusion == "" || !strings.Contains(r.Exclusion, "robots") {
		t.Errorf("robots-excluded page: %+v", r)
	}
	if r := by["/old-news.html"]; !strings.HasSuffix(r.FinalURL, "/news.html") {
		t.Errorf("redirected page: %+v", r)
	}
	notFound, err := Audit(ws, o.ID, Options{Status: "4xx"})
	if err != nil || len(notFound) != 1 || !strings.HasSuffix(notFound[0].URL, "/history.html") {
		t.Errorf("--status 4xx: %+v %v", notFound, err)
	}
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, format, rows); err != nil || buf.Len() == 0 {
			t.Errorf("%s: %v", format, err)
		}
		if format == "json" {
			var back []Row
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back) != len(rows) || back[0].Status == 0 && back[0].Error == "" && back[0].Exclusion == "" {
				t.Errorf("json round trip: %v", err)
			}
		}
		if format == "csv" && !strings.Contains(buf.String(), "перенесена") {
			t.Errorf("csv speaks Russian: %s", buf.String()[:min(buf.Len(), 200)])
		}
	}
}

func TestBrokenLinksOfTheNewSite(t *testing.T) {
	ws, o, base := crawled(t)
	bs, err := BrokenLinks(ws, o)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]BrokenWhy{}
	for _, b := range bs {
		got[strings.TrimPrefix(b.To, base)] = b.Why
	}
	if got["/history.html"] != Failed {
		t.Errorf("a link to a 404 page is broken: %+v", bs)
	}
	if _, ok := got["/old-news.html"]; ok {
		t.Errorf("a link to an address that redirects to a migrated page is not broken: %+v", bs)
	}
	if _, ok := got["/sveden/common.html"]; ok {
		t.Errorf("a link to a migrated page is not broken: %+v", bs)
	}
}
