package uploader

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"perenos/mapping"
	"perenos/store"
)

func TestRedirects(t *testing.T) {
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	rs := Redirects(org, testPlan(), "https://portal.example")
	if len(rs) != 3 {
		t.Fatalf("%d redirects for a plan with two pages and a document: %+v", len(rs), rs)
	}
	rs = append(rs, Redirect{From: `http://old.example/news.php?id=7&x="1"`, To: "https://portal.example/sites/sh1/novosti/n1", Kind: "news"})
	var buf bytes.Buffer
	if err := WriteRedirects(&buf, "csv", rs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 5 || rows[1][0] != "http://old.example/sveden/paid_edu.html" || rows[1][1] != "https://portal.example/sites/sh1/svedeniya/platnye/platnye-uslugi" {
		t.Fatalf("csv: %v %v", rows, err)
	}
	buf.Reset()
	if err := WriteRedirects(&buf, "nginx", rs); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"/sveden/paid_edu.html" "https://portal.example/sites/sh1/svedeniya/platnye/platnye-uslugi";`,
		`"/files/ustav.pdf" "https://portal.example/sites/sh1/svedeniya/platnye/ustav.pdf";`,
		`"/news.php?id=7&x=\"1\"" "https://portal.example/sites/sh1/novosti/n1";`, "return 301 $perenos_new_url;"} {
		if !strings.Contains(out, want) {
			t.Errorf("nginx snippet lacks %s:\n%s", want, out)
		}
	}
	if err := WriteRedirects(&buf, "apache", rs); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// TestRedirectMapHasEveryMigratedOldURLOnce is issue 16 item 2: a gap
// filled in review has no old URL and must not enter the map (it became
// "/" → the filled page, replacing the home page's entry); every old URL
// that was migrated appears once, a copy where its original went; the
// targets are public paths on the new site, not API object addresses.
func TestRedirectMapHasEveryMigratedOldURLOnce(t *testing.T) {
	plan := testPlan()
	plan.Sections[0].Items = append(plan.Sections[0].Items,
		mapping.Item{Key: "/", SourceURL: "http://old.example/", Kind: mapping.KindPage, Title: "Главная", Body: "Добро пожаловать"})
	// A gap filled by hand: no old URL.
	plan.Sections[2].Items = append(plan.Sections[2].Items,
		mapping.Item{Key: "gap:contacts/map", Kind: mapping.KindPage, Title: "Схема проезда", Body: "Остановка «Школа»"})
	// A page split across two sections: one old URL, two items.
	plan.Sections[2].Items = append(plan.Sections[2].Items,
		mapping.Item{Key: "/about.html#contacts", SourceURL: "http://old.example/about.html", Kind: mapping.KindPage, Title: "О школе: контакты"})
	plan.Sections[1].Items = append(plan.Sections[1].Items,
		mapping.Item{Key: "/about.html#sveden/paid_edu", SourceURL: "http://old.example/about.html", Kind: mapping.KindPage, Title: "О школе: услуги"})
	// Copies the plan left out, and a page that answered 404.
	plan.Excluded = append(plan.Excluded,
		mapping.Item{Key: "/print/paid_edu.html", SourceURL: "http://old.example/print/paid_edu.html", Kind: mapping.KindPage, Reason: "копия страницы", CopyOf: "http://old.example/sveden/paid_edu.html"},
		mapping.Item{Key: "/docs/ustav-copy.pdf", SourceURL: "http://old.example/docs/ustav-copy.pdf", Kind: mapping.KindDocument, Reason: "копия файла", CopyOf: "http://old.example/files/ustav.pdf"},
		mapping.Item{Key: "/old-paid.html", SourceURL: "http://old.example/old-paid.html", Kind: mapping.KindPage, Reason: "перенаправление", CopyOf: "http://old.example/print/paid_edu.html"},
		mapping.Item{Key: "/gone.html", SourceURL: "http://old.example/gone.html", Kind: mapping.KindPage, Reason: "404"},
	)
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	rs := Redirects(org, plan, "https://portal.example")
	to := map[string]string{}
	for _, r := range rs {
		if r.From == "" {
			t.Errorf("a redirect from no old URL: %+v", r)
		}
		if _, dup := to[r.From]; dup {
			t.Errorf("%s appears twice", r.From)
		}
		to[r.From] = r.To
		if strings.Contains(r.To, "/pages/") || strings.Contains(r.To, "/documents/") || strings.Contains(r.To, "/api/") {
			t.Errorf("%s points at an object address %s, not a public path", r.From, r.To)
		}
	}
	paid := "https://portal.example/sites/sh1/svedeniya/platnye/platnye-uslugi"
	want := map[string]string{
		"http://old.example/":                     "https://portal.example/sites/sh1/svedeniya/glavnaya",
		"http://old.example/sveden/paid_edu.html": paid,
		"http://old.example/files/ustav.pdf":      "https://portal.example/sites/sh1/svedeniya/platnye/ustav.pdf",
		"http://old.example/contacts.html":        "https://portal.example/sites/sh1/kontakty/kontakty",
		"http://old.example/about.html":           "https://portal.example/sites/sh1/svedeniya/platnye/o-shkole-uslugi",
		"http://old.example/print/paid_edu.html":  paid,
		"http://old.example/docs/ustav-copy.pdf":  "https://portal.example/sites/sh1/svedeniya/platnye/ustav.pdf",
		"http://old.example/old-paid.html":        paid,
	}
	for from, w := range want {
		if to[from] != w {
			t.Errorf("%s → %q, want %q", from, to[from], w)
		}
	}
	if len(to) != len(want) {
		t.Errorf("%d redirects, want %d: %v", len(to), len(want), to)
	}
	var buf bytes.Buffer
	WriteRedirects(&buf, "nginx", rs)
	if n := strings.Count(buf.String(), `    "/" `); n != 1 || !strings.Contains(buf.String(), `"/" "https://portal.example/sites/sh1/svedeniya/glavnaya";`) {
		t.Errorf("the home page's entry (%d of them) must lead to the home page:\n%s", n, buf.String())
	}
}
